import { fromHalfBits, toHalfBits } from './fp16.js';

/**
 * Symmetric int8 per output channel (axis 0): scale = f32(max|w| / 127), q = round-half-even(w / scale)
 * clamped to ±127, zero-point 0. Returns the scales and the codes; `dequantizeInt8` inverts it.
 */
export function quantizeInt8(values: Float32Array, channels: number): { scales: Float32Array; codes: Int8Array } {
  const per = values.length / channels;
  const scales = new Float32Array(channels);
  const codes = new Int8Array(values.length);
  for (let c = 0; c < channels; c++) {
    let max = 0;
    for (let i = c * per; i < (c + 1) * per; i++) max = Math.max(max, Math.abs(values[i] as number));
    const scale = Math.fround(max / 127);
    scales[c] = scale;
    if (scale === 0) continue;
    for (let i = c * per; i < (c + 1) * per; i++) {
      const q = roundHalfEven((values[i] as number) / scale);
      codes[i] = Math.max(-127, Math.min(127, q));
    }
  }
  return { scales, codes };
}

export function dequantizeInt8(scales: Float32Array, codes: Int8Array): Float32Array {
  const out = new Float32Array(codes.length);
  const per = codes.length / scales.length;
  for (let i = 0; i < codes.length; i++) out[i] = Math.fround((codes[i] as number) * (scales[Math.floor(i / per)] as number));
  return out;
}

export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  // Math.round sends ties up; move a tie that landed on an odd number back down.
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function toHalfArray(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = toHalfBits(values[i] as number);
  return out;
}

export function fromHalfArray(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = fromHalfBits(bits[i] as number);
  return out;
}
