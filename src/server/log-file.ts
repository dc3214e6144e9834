import { createStream, type RotatingFileStream } from 'rotating-file-stream';
import type { Exchange } from './exchange.js';
import type { Redactor } from './redact.js';

export interface ExchangeLogFile {
  write(exchange: Exchange): void;
  close(): Promise<void>;
}

/**
 * Appends exchanges as JSON lines to `dir/requests.jsonl`, rotated by size, so
 * `wxmp deploy logs` and any log shipper can read them back.
 *
 * @example
 * const log = openExchangeLog('.wxmp/logs');
 * app = createApp({ ..., onExchange: (ex) => log.write(ex) });
 */
export function openExchangeLog(dir: string, options: { size?: string; maxFiles?: number; redact?: Redactor } = {}): ExchangeLogFile {
  const redact = options.redact ?? ((text: string) => text);
  const stream: RotatingFileStream = createStream('requests.jsonl', { path: dir, size: options.size ?? '10M', maxFiles: options.maxFiles ?? 5 });
  // A full disk must not take the server down with it.
  stream.on('error', () => {});
  return {
    write(exchange) {
      const { message, ...rest } = exchange;
      // `raw` repeats the XML already logged; leave it out.
      const slim = message ? { ...rest, message: { ...message, raw: undefined } } : rest;
      stream.write(`${redact(JSON.stringify(slim))}\n`);
    },
    close: () => new Promise((resolve) => stream.end(resolve)),
  };
}
