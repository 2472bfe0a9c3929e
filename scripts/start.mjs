#!/usr/bin/env node
// `npm start`: builds what is missing or stale, then runs the studio. Electron when its binary is
// present; otherwise the browser shell on 127.0.0.1 in Chromium's app mode, or just its address
// (DESIGN.md §6). Plain Node: it runs before anything of ours is built.
//
//   node scripts/start.mjs [--no-open] [--browser] [--workspace <dir>] [--port <n>] [--build-only]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const at = (...parts) => path.join(root, ...parts);
const say = (line) => process.stderr.write(`studio: ${line}\n`);

function fail(message) {
  say(message);
  process.exit(1);
}

function parseArgs(argv) {
  const o = { open: true, browser: false, buildOnly: false, workspace: undefined, port: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) fail(`${a} needs a value`);
      return v;
    };
    if (a === '--no-open') o.open = false;
    else if (a === '--browser') o.browser = true;
    else if (a === '--build-only') o.buildOnly = true;
    else if (a === '--workspace') o.workspace = path.resolve(value());
    else if (a === '--port') {
      o.port = Number(value());
      if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) fail(`--port ${argv[i]}: expected 0 to 65535`);
    } else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: npm start -- [--no-open] [--browser] [--workspace <dir>] [--port <n>] [--build-only]\n');
      process.exit(0);
    } else fail(`unknown option ${a} (see npm start -- --help)`);
  }
  return o;
}

function run(cmd, args) {
  say(`${path.basename(cmd)} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) fail(`${path.basename(cmd)} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
}

/** Newest modification time of the files under these folders (tests and node_modules skipped). */
function newest(dirs) {
  let time = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (!/\.test\.ts$/.test(entry.name)) time = Math.max(time, statSync(full).mtimeMs);
    }
  };
  for (const d of dirs) if (existsSync(d)) walk(d);
  return time;
}

const mtime = (file) => (existsSync(file) ? statSync(file).mtimeMs : 0);
const viteBin = at('node_modules', 'vite', 'bin', 'vite.js');

/** The TypeScript build: `npm start` runs it in prestart; here only when its output is missing. */
function buildTypeScript() {
  if (!existsSync(at('dist', 'main', 'shell', 'run-browser-shell.js')) || !existsSync(at('dist', 'main', 'electron', 'main.js'))) {
    run(process.execPath, [at('node_modules', 'typescript', 'bin', 'tsc'), '-b']);
  }
}

/** The renderer bundle (renderer/vite.config.ts) when missing or older than its sources. */
function buildRenderer() {
  const config = at('renderer', 'vite.config.ts');
  if (!existsSync(config)) return;
  const index = at('dist', 'renderer-app', 'index.html');
  if (mtime(index) > newest([at('renderer'), at('core'), at('main', 'contract')])) return;
  if (!existsSync(viteBin)) {
    if (existsSync(index)) return say('the window bundle may be stale, and Vite is not installed to rebuild it (npm install)');
    fail('the window is not built and Vite is not installed: run `npm install`, then `npm start`');
  }
  run(process.execPath, [viteBin, 'build', '-c', config, '--logLevel', 'warn']);
}

/** The preload as one CommonJS file: a sandboxed preload can neither load ES modules nor other files. */
async function buildPreload() {
  const out = at('dist', 'electron', 'preload.cjs');
  if (mtime(out) > newest([at('main', 'electron'), at('main', 'contract')])) return;
  if (!existsSync(viteBin)) {
    if (existsSync(out)) return;
    fail('the Electron preload is not built and Vite is not installed: run `npm install`, then `npm start`');
  }
  say('bundling the Electron preload');
  const { build } = await import('vite');
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    build: {
      outDir: at('dist', 'electron'),
      emptyOutDir: false,
      minify: false,
      sourcemap: false,
      target: 'chrome120',
      lib: { entry: at('main', 'electron', 'preload.ts'), formats: ['cjs'], fileName: () => 'preload.cjs' },
      rollupOptions: { external: ['electron'] },
    },
  });
}

/** Electron's binary, when its optional package installed one; undefined otherwise. */
function electronBinary() {
  try {
    // The electron package's main export is the path of its binary; it throws when the download failed.
    const binary = createRequire(import.meta.url)('electron');
    return typeof binary === 'string' && existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

const o = parseArgs(process.argv.slice(2));
buildTypeScript();
buildRenderer();
const electron = electronBinary();
if (electron !== undefined || o.buildOnly) await buildPreload();
if (o.buildOnly) process.exit(0);

const { defaultWorkspace } = await import(pathToFileURL(at('dist', 'main', 'shell', 'workspace-dir.js')).href);
const workspace = o.workspace ?? defaultWorkspace();

if (electron !== undefined && !o.browser) {
  say(`starting Electron (${electron})`);
  const child = spawn(electron, [at('dist', 'main', 'electron', 'main.js'), `--workspace=${workspace}`], { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 0 : 1)));
} else {
  if (electron === undefined && !o.browser) say('no Electron binary here: starting the browser shell');
  const { runBrowserShell } = await import(pathToFileURL(at('dist', 'main', 'shell', 'run-browser-shell.js')).href);
  const running = await runBrowserShell({ workspace, open: o.open, log: say, ...(o.port === undefined ? {} : { port: o.port }) });
  // The address on stdout too, for scripts (and `--no-open`, which only prints it).
  process.stdout.write(`${running.url}\n`);
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => void running.stop());
  await running.stopped;
  process.exit(0);
}
