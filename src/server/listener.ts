import type { Logger } from './logger.js';

/**
 * Calls a listener the server does not wait for, so that its failure reaches the log and
 * nothing else. Typed to return nothing, a listener may still be async: the promise it
 * returns is watched too, as a rejection left unhandled would end the process.
 *
 * @example
 * callListener('onExchange', options.onExchange, ex, logger);
 */
export function callListener<T>(name: string, listener: (value: T) => unknown, value: T, logger: Logger): void {
  try {
    const result = listener(value) as PromiseLike<unknown> | undefined;
    if (typeof result?.then === 'function') result.then(undefined, (error: unknown) => logger.error(`wxmp: ${name} listener threw`, error));
  } catch (error) {
    logger.error(`wxmp: ${name} listener threw`, error);
  }
}
