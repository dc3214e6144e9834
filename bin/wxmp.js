#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so no build step stands between an edit and a run.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
