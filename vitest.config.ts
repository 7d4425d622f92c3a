import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/build.ts'],
    // The course's cat runs train for minutes on the reference kernels.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    // Two cores: one test file per core keeps timings of long runs predictable.
    maxWorkers: 2,
  },
});
