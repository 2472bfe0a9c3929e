import type { OpProblem, Shape, ShapeResult } from './op-def.js';

export function elementCount(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

/** PyTorch's floor rule for conv and pooling windows (dilation 1). */
export function windowOutputSize(size: number, kernel: number, stride: number, padding: number): number {
  return Math.floor((size + 2 * padding - kernel) / stride) + 1;
}

export function ok(shape: Shape): ShapeResult {
  return { ok: true, shape };
}

export function fail(field: string, message: string): ShapeResult {
  const problem: OpProblem = { field, message };
  return { ok: false, problem };
}

/** Checks that an input is a [C, H, W] image and returns it, or a problem naming the input. */
export function requireImage(inputs: readonly Shape[], opName: string): { readonly c: number; readonly h: number; readonly w: number } | OpProblem {
  const shape = inputs[0];
  if (shape === undefined || shape.length !== 3) {
    return {
      field: 'inputs[0]',
      message: `${opName} needs a [C,H,W] input, got ${shape === undefined ? 'nothing' : formatShape(shape)}`,
    };
  }
  const [c, h, w] = shape as readonly [number, number, number];
  return { c, h, w };
}

export function isProblem(value: object): value is OpProblem {
  return 'message' in value;
}

/**
 * Shared checks of a sliding window (conv and pooling). Padding above half the kernel is refused as
 * PyTorch's pools refuse it; an empty output is an error rather than a zero-sized tensor.
 */
export function windowProblem(
  kernel: readonly [number, number],
  stride: readonly [number, number],
  padding: readonly [number, number],
  h: number,
  w: number,
  checkHalfKernel: boolean,
): OpProblem | undefined {
  if (checkHalfKernel && (padding[0] * 2 > kernel[0] || padding[1] * 2 > kernel[1])) {
    return { field: 'padding', message: `padding ${padding.join('x')} exceeds half the kernel ${kernel.join('x')}` };
  }
  const oh = windowOutputSize(h, kernel[0], stride[0], padding[0]);
  const ow = windowOutputSize(w, kernel[1], stride[1], padding[1]);
  if (oh < 1 || ow < 1) {
    return {
      field: 'kernel',
      message: `kernel ${kernel.join('x')} does not fit the padded input ${h + 2 * padding[0]}x${w + 2 * padding[1]}`,
    };
  }
  return undefined;
}
