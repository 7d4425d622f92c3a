import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['test/helpers/build.ts'],
    // The course's cat runs train for minutes on the reference kernels.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    projects: [
      {
        extends: true,
        // Two cores: one test file per core keeps timings of long runs predictable.
        test: { name: 'node', include: ['test/**/*.test.ts'], exclude: ['test/web/**'], maxWorkers: 2, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        // The browser tests measure the page's main thread (no long tasks while training) and run
        // its kernels on both cores: after the rest, one file at a time, on a machine left to them.
        test: { name: 'browser', include: ['test/web/**/*.test.ts'], fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
