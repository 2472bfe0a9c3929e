import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

/**
 * The renderer bundle: index.html + Svelte 5 + browser-safe core, into dist/renderer-app, which both
 * the Electron window and the browser shell serve. Relative asset URLs, so it loads from file:// too.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [svelte({ configFile: false, compilerOptions: { runes: true } })],
  build: {
    outDir: '../dist/renderer-app',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  // No dependency pre-bundling cache in the source tree.
  cacheDir: '../node_modules/.vite/renderer',
});
