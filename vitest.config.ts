import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Unit tests sit beside the code; cross-part tests live in test/.
    include: ['core/**/*.test.ts', 'main/**/*.test.ts', 'renderer/**/*.test.ts', 'devices/**/*.test.ts', 'cloud/**/*.test.ts', 'bench/**/*.test.ts', 'eslint/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/support/build-once.ts'],
    // Two cores on CI: one worker per core keeps the heavier cross-part tests from starving each other.
    maxWorkers: 2,
  },
});
