import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

export type EnginePreference = 'auto' | 'node' | 'wasm';

export interface Engine {
  /** What the run used, for every report that shows a figure: `tfjs-node` or `tfjs-wasm`. */
  readonly name: 'tfjs-node' | 'tfjs-wasm';
  readonly tf: typeof tf;
}

export class EngineError extends Error {
  readonly code = 'engine-unavailable';
  constructor(message: string) {
    super(message);
    this.name = 'EngineError';
  }
}

async function tryNode(): Promise<boolean> {
  try {
    // An optional dependency: its native library often cannot be fetched, so loading may fail.
    await import('@tensorflow/tfjs-node' as string);
    return await tf.setBackend('tensorflow');
  } catch {
    return false;
  }
}

/**
 * Picks the training engine at run time: tfjs-node when its native library loads (the users'
 * default), otherwise the WebAssembly backend. The pure-JS cpu backend is never chosen: too slow.
 */
export async function initEngine(preference: EnginePreference = 'auto'): Promise<Engine> {
  if (preference !== 'wasm' && (await tryNode())) return { name: 'tfjs-node', tf };
  if (preference === 'node') throw new EngineError('--engine node: @tensorflow/tfjs-node did not load here (its native library could not be installed); use --engine wasm or auto');
  if (!(await tf.setBackend('wasm'))) throw new EngineError('the tfjs WebAssembly backend did not start');
  await tf.ready();
  return { name: 'tfjs-wasm', tf };
}
