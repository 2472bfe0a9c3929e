import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [
    // Only *.svelte and *.svelte.ts files (the renderer's) go through this plugin. Vitest's node
    // environment would compile them for the server, where runes are plain values that track nothing;
    // the client build makes the renderer's state tests exercise the reactivity the app really runs.
    svelte({ configFile: false, compilerOptions: { runes: true }, dynamicCompileOptions: () => ({ generate: 'client' }) }),
  ],
  test: {
    // Unit tests sit beside the code; cross-part tests live in test/.
    include: ['core/**/*.test.ts', 'main/**/*.test.ts', 'renderer/**/*.test.ts', 'devices/**/*.test.ts', 'cloud/**/*.test.ts', 'bench/**/*.test.ts', 'eslint/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/support/build-once.ts'],
    // Two cores on CI: one worker per core keeps the heavier cross-part tests from starving each other.
    maxWorkers: 2,
    // Timeouts only catch hangs; speed is measured by `npm run bench`. On a loaded two-core machine a
    // test whose work takes milliseconds can wait seconds for a core, so the default 5 s flaked.
    testTimeout: 20_000,
  },
});
