const utf8 = new TextEncoder();

export function utf8Length(s: string): number {
  return utf8.encode(s).length;
}

/** The longest prefix of `s` whose UTF-8 fits in `maxBytes`, cut at a character boundary. */
export function cutUtf8(s: string, maxBytes: number): string {
  const b = utf8.encode(s);
  if (b.length <= maxBytes) return s;
  let cut = Math.max(0, maxBytes);
  while (cut > 0 && ((b[cut] as number) & 0xc0) === 0x80) cut--;
  return new TextDecoder().decode(b.subarray(0, cut));
}
