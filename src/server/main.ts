// Entry of the production bundle: the same as `wxmp start`, without the CLI.
import { startFromEnv } from './start.js';

process.exitCode = await startFromEnv();
