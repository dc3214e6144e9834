/** Regenerates the table of typed calls in docs/api.md from src/api/calls/*.ts. */
import { readFileSync, writeFileSync } from 'node:fs';
import { withApiTable } from '../src/api/calls/docs.js';

const file = new URL('../docs/api.md', import.meta.url);
writeFileSync(file, withApiTable(readFileSync(file, 'utf8')));
process.stdout.write('docs/api.md: table of typed calls updated\n');
