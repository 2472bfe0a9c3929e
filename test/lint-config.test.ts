import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// Lints text as if it sat at a path of this repository, through the real eslint.config.js: proves the
// layering rule is wired into `npm run lint`, not just correct in isolation.
async function lintAt(filePath: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: process.cwd() });
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

describe('the repository lint config', () => {
  it('rejects a Node built-in in browser-safe core', async () => {
    const messages = await lintAt('core/spec/bad.ts', "import { readFile } from 'node:fs/promises';\nexport const r = readFile;\n");
    expect(messages.join('\n')).toMatch(/local\/layering: core\/ runs in the browser and may not import "node:fs\/promises"/);
  });

  it('rejects the renderer reaching into devices', async () => {
    const messages = await lintAt('renderer/src/bad.ts', "import { x } from '../../devices/push.js';\nexport const y = x;\n");
    expect(messages.join('\n')).toMatch(/local\/layering: renderer\/ may not import devices\//);
  });

  it('rejects default exports', async () => {
    const messages = await lintAt('core/spec/bad.ts', 'export default 1;\n');
    expect(messages.join('\n')).toMatch(/Use named exports/);
  });

  it('accepts core/node using Node', async () => {
    const messages = await lintAt('core/node/ok.ts', "import { readFile } from 'node:fs/promises';\nexport const r = readFile;\n");
    expect(messages).toEqual([]);
  });
});
