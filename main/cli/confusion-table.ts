/** Rows are true classes, columns predictions; the last column is each class's recall. */
export function confusionTable(confusion: readonly (readonly number[])[], classes: readonly string[]): string {
  const names = classes.map((c, i) => `${i} ${c}`);
  const corner = 'true \\ predicted';
  const width = Math.max(corner.length, ...names.map((n) => n.length));
  const cell = Math.max(4, ...confusion.flat().map((v) => String(v).length));
  const head = `${corner.padEnd(width)}  ${classes.map((_, i) => String(i).padStart(cell)).join(' ')}  recall`;
  const rows = confusion.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    const recall = total === 0 ? '-' : `${((100 * (row[i] ?? 0)) / total).toFixed(1)}%`;
    return `${(names[i] ?? '').padEnd(width)}  ${row.map((v) => String(v).padStart(cell)).join(' ')}  ${recall.padStart(6)}`;
  });
  return [head, ...rows].join('\n');
}
