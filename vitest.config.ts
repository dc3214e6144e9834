import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The package's exports point at dist/ (built by `npm pack`); tests run the source.
  resolve: { alias: [{ find: /^wxmp$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) }] },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // expect.poll waits for browsers and servers; 1 s (the default) is tight on a loaded 2-core CI machine.
    expect: { poll: { timeout: 5_000 } },
    // Process and port tests start real servers; two cores cannot run many at once.
    maxWorkers: 2,
    // .ci/run reads the JSON report to print the plain "N passed, N failed" line.
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }]],
  },
});
