import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests use real sockets and child processes; keep each file in its own process.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Load the built package (dist/) with Node itself, as users do, not through Vite's transform.
    server: { deps: { external: [/\/dist\//] } },
  },
});
