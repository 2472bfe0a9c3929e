#!/usr/bin/env node
// The CLI is TypeScript compiled by `npm run build` (run by `npm ci` through `prepare`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/main/cli/reframe.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('reframe: the CLI is not built yet; run `npm ci` (or `npm run build`) in the project first\n');
  process.exit(1);
}
const { runCli } = await import(entry.href);
process.exitCode = await runCli(process.argv.slice(2));
