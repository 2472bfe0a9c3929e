import { access } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where Vite writes the renderer bundle (renderer/vite.config.ts `build.outDir`), from the package root. */
export const RENDERER_OUT_DIR = path.join('dist', 'renderer-app');

/**
 * The policy every renderer page gets as a header, on top of the `<meta>` in renderer/index.html (a
 * browser applies both, so they must agree): code and styles only from the app, its one connection
 * back to its own origin, and no framing by other pages.
 */
export const RENDERER_CSP = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The package root: the nearest folder above this module with our package.json (src or dist). */
export async function studioRoot(from: string = path.dirname(fileURLToPath(import.meta.url))): Promise<string> {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (await access(path.join(dir, 'package.json')).then(() => true, () => false)) {
      if (await access(path.join(dir, 'renderer')).then(() => true, () => false)) return dir;
      if (await access(path.join(dir, RENDERER_OUT_DIR)).then(() => true, () => false)) return dir;
    }
    if (path.dirname(dir) === dir) throw new Error(`no ReFrame Studio installation above ${from}`);
  }
}

/** The built renderer, or undefined when `npm run build:renderer` has not run yet. */
export async function rendererAppDir(root?: string): Promise<string | undefined> {
  const dir = path.join(root ?? (await studioRoot()), RENDERER_OUT_DIR);
  return (await access(path.join(dir, 'index.html')).then(() => true, () => false)) ? dir : undefined;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentType(file: string): string {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file a URL path names inside `root`, or undefined when it would leave it (`..`, encoded
 * slashes, NUL). `/` is index.html.
 */
export function staticFile(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const rel = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  const full = path.resolve(root, rel);
  const inside = path.relative(root, full);
  return inside === '' || inside.startsWith('..') || path.isAbsolute(inside) ? undefined : full;
}
