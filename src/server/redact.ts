/**
 * Keeps secrets out of logs: the Token, EncodingAESKey and AppSecret by value,
 * and any access_token in a URL by pattern, since API error messages quote URLs.
 */
import { errorStack } from './error-text.js';
import type { Logger } from './logger.js';

/** Turns a log line into one without secrets. */
export type Redactor = (text: string) => string;

// Stops at a backslash too, so a token inside a JSON string keeps the string's escapes intact.
const ACCESS_TOKEN = /(access_token=)[^&\s"'<>\\]+/g;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * @example
 * const redact = createRedactor([config.token, config.encodingAESKey, config.appSecret]);
 * redact('GET /cgi-bin/menu/get?access_token=abc') // 'GET /cgi-bin/menu/get?access_token=[redacted]'
 */
export function createRedactor(secrets: Array<string | undefined>): Redactor {
  // Very short values would blank out ordinary words; WeChat's Token has at least 3 characters.
  const values = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= 3))].sort((a, b) => b.length - a.length);
  const byValue = values.length ? new RegExp(values.map(escapeRegExp).join('|'), 'g') : undefined;
  // Every request's log lines pass here, nearly all without a secret: one search for all of them
  // first (one regular expression scans a 1.6 KB line in a third of the time a substring search
  // per secret took), and the replacing passes only for a line that holds one.
  const any = new RegExp(['access_token=', ...values].map(escapeRegExp).join('|'));
  return (text) => {
    if (!any.test(text)) return text;
    const out = text.includes('access_token=') ? text.replace(ACCESS_TOKEN, '$1[redacted]') : text;
    return byValue ? out.replace(byValue, '[redacted]') : out;
  };
}

/**
 * Wraps a logger so that its lines, and the stacks of the errors it is
 * handed, pass through `redact`.
 *
 * @example
 * const logger = redactLogger(consoleLogger, createRedactor([config.token]));
 */
export function redactLogger(logger: Logger, redact: Redactor): Logger {
  return {
    info: (message) => logger.info(redact(message)),
    warn: (message) => logger.warn(redact(message)),
    error: (message, error) => logger.error(redact(error === undefined ? message : `${message}\n${errorStack(error)}`)),
  };
}

/**
 * Redacts a stream of text a line at a time, so a secret written in two pieces
 * is still caught. A partial line waits for its newline, for `idleMs` without
 * output (a prompt must show up), or for `end()`.
 *
 * @example
 * const out = redactLines(redact, (text) => process.stdout.write(text));
 * worker.stdout.on('data', out.write).on('end', out.end);
 */
export function redactLines(redact: Redactor, write: (text: string) => void, idleMs = 100): { write(chunk: string | Buffer): void; end(): void } {
  let pending = '';
  let timer: NodeJS.Timeout | undefined;
  const end = (): void => {
    clearTimeout(timer);
    timer = undefined;
    if (pending) write(redact(pending));
    pending = '';
  };
  return {
    write(chunk) {
      pending += String(chunk);
      const newline = pending.lastIndexOf('\n');
      if (newline >= 0) {
        write(redact(pending.slice(0, newline + 1)));
        pending = pending.slice(newline + 1);
      }
      clearTimeout(timer);
      // A line with no end in sight is written out rather than held without bound.
      if (pending.length > 64 * 1024) end();
      else if (pending) timer = setTimeout(end, idleMs).unref();
    },
    end,
  };
}
