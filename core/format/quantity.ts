/** Counts with SI prefixes as papers print them: 11,173,962 → "11.17 M". */
export function formatCount(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (abs >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (abs >= 1e4) return `${(n / 1e3).toFixed(1)} K`;
  return String(n);
}

/** Bytes in binary units, since flash and RAM are sized that way. */
export function formatBytes(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(2)} GiB`;
  if (abs >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(2)} MiB`;
  if (abs >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

/** A relative change as a signed percentage with a real minus sign: -0.90086 → "−90.1%". */
export function formatChange(change: number): string {
  const pct = (change * 100).toFixed(1);
  if (pct === '0.0' || pct === '-0.0') return '0.0%';
  return change < 0 ? `−${pct.slice(1)}%` : `+${pct}%`;
}

export function formatShapeText(shape: readonly number[]): string {
  return shape.join('×');
}
