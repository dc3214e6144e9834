import { errorStack } from './error-text.js';

/** Where the server reports what happened; console by default, a file or a test buffer elsewhere. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  /** `error` keeps its stack in the output. */
  error(message: string, error?: unknown): void;
}

/** Logs to stdout and stderr, errors with their stack. */
export const consoleLogger: Logger = {
  info: (message) => console.log(message),
  warn: (message) => console.warn(message),
  error: (message, error) => console.error(error === undefined ? message : `${message}\n${errorStack(error)}`),
};

/** Discards everything; for benchmarks and tests that assert on other output. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
