import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// ESLint does not read .svelte files here, so the layering rule would never see a component's imports.
// This lints each component's <script> blocks as if they were a .ts file beside it, through the real
// eslint.config.js, and keeps only the layering rule's verdicts (template-only names look unused to
// other rules, which is not a problem).

const RENDERER = fileURLToPath(new URL('.', import.meta.url));
const ROOT = path.dirname(RENDERER.replace(/\/$/, ''));

async function svelteFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.svelte')).map((e) => path.join(e.parentPath, e.name));
}

function scripts(source: string): string {
  return [...source.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? '').join('\n');
}

async function layeringMessages(eslint: ESLint, filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'local/layering' || m.fatal === true).map((m) => m.message);
}

describe('imports of Svelte components', () => {
  const eslint = new ESLint({ cwd: ROOT });
  // Timeouts of 30 s: ESLint with the TypeScript parser takes seconds to warm up on a busy two-core machine.

  it('follow the layering rule', async () => {
    const files = await svelteFiles(path.join(RENDERER, 'src'));
    expect(files.length).toBeGreaterThan(5);
    const problems: string[] = [];
    for (const file of files) {
      const messages = await layeringMessages(eslint, `${file}.script.ts`, scripts(await readFile(file, 'utf8')));
      problems.push(...messages.map((m) => `${path.relative(ROOT, file)}: ${m}`));
    }
    expect(problems).toEqual([]);
  }, 30_000);

  it('would be caught reaching past the contract', async () => {
    const file = path.join(RENDERER, 'src/views/Bad.svelte.script.ts');
    const code = scripts("<script lang=\"ts\">\n  import { createStudioServices } from '../../../main/services/studio-services.js';\n  void createStudioServices;\n</script>\n");
    expect(await layeringMessages(eslint, file, code)).toEqual([expect.stringMatching(/^renderer\/ may not import main\//)]);
  }, 30_000);
});
