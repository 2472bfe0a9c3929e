import { intPair, nonNegativeInt, positiveInt, toPair, type IntPair } from './attr-schema.js';
import type { Shape, ShapeResult } from './op-def.js';
import { isProblem, ok, requireImage, windowOutputSize, windowProblem } from './shape-math.js';

export interface PoolWindow {
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
}

export const poolWindowFields = {
  kernel: intPair(positiveInt),
  stride: intPair(positiveInt).optional(),
  padding: intPair(nonNegativeInt).optional(),
};

/** PyTorch's pools default the stride to the kernel size. */
export function resolvePoolWindow(n: { kernel: IntPair; stride?: IntPair | undefined; padding?: IntPair | undefined }): PoolWindow {
  const kernel = toPair(n.kernel);
  return { kernel, stride: toPair(n.stride ?? kernel), padding: toPair(n.padding ?? 0) };
}

export function poolOutputShape(w: PoolWindow, inputs: readonly Shape[], opName: string): ShapeResult {
  const img = requireImage(inputs, opName);
  if (isProblem(img)) return { ok: false, problem: img };
  const bad = windowProblem(w.kernel, w.stride, w.padding, img.h, img.w, true);
  if (bad !== undefined) return { ok: false, problem: bad };
  return ok([
    img.c,
    windowOutputSize(img.h, w.kernel[0], w.stride[0], w.padding[0]),
    windowOutputSize(img.w, w.kernel[1], w.stride[1], w.padding[1]),
  ]);
}
