/** Escapes one JSON Pointer segment (RFC 6901). */
const segment = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * A spec issue's path as core writes it (`nodes[12].groups`, '' for the whole document) turned into a
 * JSON Pointer under `base` (`/spec/nodes/12/groups`), so a client can point into what it sent.
 */
export function specIssuePointer(path: string, base = '/spec'): string {
  const parts = path.match(/[^.[\]]+/g) ?? [];
  return base + parts.map((p) => `/${segment(p)}`).join('');
}

/** A pointer one segment deeper. */
export const childPointer = (pointer: string, key: string): string => `${pointer}/${segment(key)}`;
