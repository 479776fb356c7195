import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Worker processes get relaxed SIMD so both wasm builds are tested on Node 20.
    pool: 'forks',
    poolOptions: { forks: { execArgv: ['--experimental-wasm-relaxed-simd'] } },
    testTimeout: 60_000,
  },
});
