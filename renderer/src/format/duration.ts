/** A time span as a person reads it on a progress line: "0.4 s", "42 s", "3 min 05 s", "2 h 10 min". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  // Short spans (a push over a fast link) keep a decimal; "0 s" would say nothing happened.
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** A share as a percentage with one decimal: 0.8734 → "87.3%". */
export function formatPercent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}
