import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { checkSpecText } from '../core/spec/load-spec.js';
import { formatSpecIssue, type SpecIssueCode } from '../core/spec/spec-issue.js';

// A corpus of broken spec files, each listed with the error it must produce (after netron's test/models.json).
// To add a case: drop a small, otherwise valid file into spec-corpus/bad/ and list it in bad-specs.json.

interface CorpusEntry {
  readonly file: string;
  readonly code: SpecIssueCode;
  /** The issue's JSON path, exactly. */
  readonly path: string;
  /** The exact message or a distinctive part of it. */
  readonly message: string;
  readonly line?: number;
}

// Every code must have at least one file; the type makes a new code fail here until the corpus covers it.
const ALL_CODES = {
  'json-syntax': true,
  schema: true,
  'unknown-op': true,
  'duplicate-name': true,
  'dangling-input': true,
  cycle: true,
  arity: true,
  'no-input': true,
  shape: true,
  param: true,
} as const satisfies Record<SpecIssueCode, true>;

const BAD_DIR = new URL('./spec-corpus/bad/', import.meta.url);
const corpus = JSON.parse(await readFile(new URL('./spec-corpus/bad-specs.json', import.meta.url), 'utf8')) as CorpusEntry[];

describe('the bad-spec corpus', () => {
  it('has at least 30 entries, each naming one file once', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(30);
    expect(new Set(corpus.map((e) => e.file)).size).toBe(corpus.length);
  });

  it('lists every file in spec-corpus/bad (no orphans)', async () => {
    const files = (await readdir(BAD_DIR)).sort();
    expect(files).toEqual(corpus.map((e) => e.file).sort());
  });

  it('uses only known codes and covers every one of them', () => {
    const known = Object.keys(ALL_CODES);
    for (const entry of corpus) expect(known, entry.file).toContain(entry.code);
    expect(new Set(corpus.map((e) => e.code))).toEqual(new Set(known));
  });
});

describe.each(corpus)('$file', (entry) => {
  it(`fails with ${entry.code} at ${entry.path === '' ? '(document)' : entry.path}`, async () => {
    const text = await readFile(new URL(entry.file, BAD_DIR), 'utf8');
    let result: ReturnType<typeof checkSpecText> | undefined;
    expect(() => (result = checkSpecText(text))).not.toThrow();
    if (result === undefined || result.ok) throw new Error(`${entry.file} was accepted`);

    const expected = {
      code: entry.code,
      path: entry.path,
      message: expect.stringContaining(entry.message),
      ...(entry.line === undefined ? {} : { line: entry.line }),
    };
    // On failure the diff shows every issue the file did produce.
    expect(result.issues).toContainEqual(expect.objectContaining(expected));

    const lineCount = text.split('\n').length;
    for (const issue of result.issues) {
      const shown = formatSpecIssue(issue);
      expect(issue.message.trim(), shown).not.toBe('');
      // Every issue points into the file, at a real line and column.
      expect(issue.line, shown).toBeGreaterThanOrEqual(1);
      expect(issue.line, shown).toBeLessThanOrEqual(lineCount);
      expect(issue.column, shown).toBeGreaterThanOrEqual(1);
    }
  });
});
