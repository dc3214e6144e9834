#!/usr/bin/env node
// Two ways to run: in the template checkout (src/cli.ts beside this file, outside
// node_modules) the CLI runs from source through tsx, so an edit to src/ needs no
// build; installed as a package it runs the compiled dist/ with plain node.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const installed = root.split(/[\\/]/).includes('node_modules');
const fromSource = !installed && existsSync(new URL('../src/cli.ts', import.meta.url)) && process.env.WXMP_FROM_DIST !== '1';

let main;
if (fromSource) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli.ts'));
} else if (existsSync(new URL('../dist/cli.js', import.meta.url))) {
  ({ main } = await import('../dist/cli.js'));
} else {
  process.stderr.write(`wxmp: ${root}dist/cli.js is missing; run \`npm run build\` in ${root} (npm pack builds it)\n`);
  process.exit(1);
}
process.exitCode = await main(process.argv.slice(2));
