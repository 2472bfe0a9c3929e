#!/usr/bin/env node
// Makes a fresh checkout ready for `npm start`, `npm test` or `npm run bench`: npm packages, the build,
// and the Debian packages the command needs. Plain Node with no dependencies, since it runs before any.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const purpose = process.argv[2] ?? 'start';

function fail(message) {
  process.stderr.write(`ensure-deps: ${message}\n`);
  process.exit(1);
}

function run(cmd, args) {
  process.stderr.write(`ensure-deps: ${cmd} ${args.join(' ')}\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} failed with exit code ${r.status ?? r.signal}`);
}

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) fail(`Node ${process.version} is too old; ReFrame Studio needs Node 20.19 or newer`);

// Debian packages: installed when we are root on Debian, otherwise named so the user can install them.
const wanted = JSON.parse(readFileSync(path.join(root, 'scripts/system-packages.json'), 'utf8'))[purpose] ?? [];
const missing = wanted.filter((pkg) => {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status !== 0 || !r.stdout.includes('install ok installed');
});
if (missing.length > 0) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !existsSync('/etc/debian_version')) {
    fail(`these Debian packages are needed for \`npm ${purpose}\`: ${missing.join(' ')}\n  install them with: sudo apt-get install -y ${missing.join(' ')}`);
  }
  run('apt-get', ['update', '-q']);
  run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing]);
}

// npm packages: reinstall whenever the lock file changed since the last install we did.
const lock = path.join(root, 'package-lock.json');
const stamp = path.join(root, 'node_modules/.reframe-lock-sha256');
const lockHash = createHash('sha256').update(readFileSync(lock)).digest('hex');
if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== lockHash) {
  run('npm', ['ci', '--no-audit', '--no-fund']);
  writeFileSync(stamp, lockHash);
} else {
  // npm ci builds through `prepare`; otherwise bring the incremental build up to date (fast when it is).
  run('npx', ['tsc', '-b']);
}
