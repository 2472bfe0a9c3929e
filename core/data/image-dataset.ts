/**
 * A labelled image dataset as the trainer reads it: uint8 pixels, CHW per image, read a batch at a
 * time so a folder of a million files never has to sit in memory.
 */
export interface ImageDataset {
  /** Where it came from, for messages and reports (a file, a folder, "demo"). */
  readonly name: string;
  /** [channels, height, width] of every image. */
  readonly shape: readonly [number, number, number];
  /** Class names; a label is an index into this list. */
  readonly classes: readonly string[];
  readonly length: number;
  /**
   * Fills `images` (batch-major, each image CHW uint8) and `labels` for the given indices, in order.
   * `images` holds at least indices.length × C×H×W bytes.
   */
  readBatch(indices: readonly number[], images: Uint8Array, labels: Int32Array): Promise<void>;
}

export class DatasetError extends Error {
  readonly code = 'bad-dataset';
  constructor(message: string) {
    super(message);
    this.name = 'DatasetError';
  }
}

export function imageBytes(shape: readonly [number, number, number]): number {
  return shape[0] * shape[1] * shape[2];
}
