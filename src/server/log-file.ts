import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createStream, type RotatingFileStream } from 'rotating-file-stream';
import { BatchWriter, LOG_FLUSH_MS } from './batch-writer.js';
import { errorMessage } from './error-text.js';
import type { Exchange } from './exchange.js';
import type { Redactor } from './redact.js';

export interface ExchangeLogFile {
  write(exchange: Exchange): void;
  close(): Promise<void>;
}

/**
 * One exchange as its JSON line: `raw` repeats the XML already logged, so it is
 * left out. A reply that JSON cannot hold (a cycle, a BigInt in a bot's news
 * article: the XML sent was fine) is left out too, and the reason given in
 * `replyNotLogged`: a throw here, in the log's timer, would take the server down.
 */
export function exchangeRecord(exchange: Exchange, redact: Redactor): string {
  // The fields copied one by one, `message` last: what `{ ...rest, message: { ...message, raw: undefined } }`
  // gives, in the same order, in half the time (object rest took as long as JSON.stringify).
  const slim: Record<string, unknown> = {};
  for (const key in exchange) if (key !== 'message') slim[key] = exchange[key as keyof Exchange];
  const { message } = exchange;
  if (message) {
    const fields: Record<string, unknown> = {};
    for (const key in message) if (key !== 'raw') fields[key] = message[key as keyof typeof message];
    slim.message = fields;
  }
  try {
    return `${redact(JSON.stringify(slim))}\n`;
  } catch (error) {
    slim.reply = undefined;
    slim.replyNotLogged = errorMessage(error);
    return `${redact(JSON.stringify(slim))}\n`;
  }
}

/**
 * A line about the log itself, shaped like an exchange so `wxmp deploy logs` shows it
 * as one more line: for `of` (the request it stands for) or for the log as a whole.
 */
function noticeLine(code: string, message: string, of?: Exchange): string {
  const time = of?.time ?? Date.now();
  const record: Exchange = of
    ? { id: of.id, time, method: of.method, path: of.path, query: {}, status: of.status, durationMs: of.durationMs, kind: of.kind, error: { code, message } }
    : { id: `${time.toString(36)}-dropped`, time, method: '-', path: '-', query: {}, status: 0, durationMs: 0, kind: 'other', error: { code, message } };
  return `${JSON.stringify(record)}\n`;
}

/**
 * Appends exchanges as JSON lines to `dir/requests.jsonl` (mode 0600: it holds
 * decrypted messages and OpenIDs), rotated by size, so `wxmp deploy logs` and
 * any log shipper can read them back. Off the request's path: an exchange is
 * queued as is, serialized with the others of the same event-loop turn after
 * the responses went out, and written with every line of the last LOG_FLUSH_MS.
 *
 * @example
 * const log = openExchangeLog('.wxmp/logs');
 * app = createApp({ ..., onExchange: (ex) => log.write(ex) });
 */
export function openExchangeLog(dir: string, options: { size?: string; maxFiles?: number; redact?: Redactor } = {}): ExchangeLogFile {
  const redact = options.redact ?? ((text: string) => text);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // A file created 0644 by an older version becomes private too.
    chmodSync(join(dir, 'requests.jsonl'), 0o600);
  } catch { /* not there yet, or not ours: the stream reports real problems */ }
  const stream: RotatingFileStream = createStream('requests.jsonl', { path: dir, size: options.size ?? '10M', maxFiles: options.maxFiles ?? 5, mode: 0o600 });
  // A full disk must not take the server down with it.
  stream.on('error', () => {});
  let queue: Exchange[] = [];
  const writer = new BatchWriter(
    {
      write: (text) => stream.write(text),
      pending: () => stream.writableLength,
    },
    { droppedLine: (count) => noticeLine('LOG_DROPPED', `${count} request log lines dropped: the disk did not take them in time (full or stalled?)`), delayMs: LOG_FLUSH_MS },
  );
  let scheduled = false;
  const drain = () => {
    scheduled = false;
    const batch = queue;
    queue = [];
    for (const ex of batch) {
      try {
        writer.push(exchangeRecord(ex, redact));
      } catch (error) {
        // Whatever else an exchange holds, one bad record costs its own line, not the process.
        writer.push(noticeLine('LOG_UNWRITABLE', `this request's record could not be written as JSON: ${errorMessage(error)}`, ex));
      }
    }
  };
  return {
    write(exchange) {
      queue.push(exchange);
      if (!scheduled) {
        scheduled = true;
        // Serialized once this turn's responses went out, written every LOG_FLUSH_MS: an exchange
        // kept for the whole batch would outlive the young generation, and cost the GC a copy.
        setImmediate(drain);
      }
    },
    close: () => {
      drain();
      writer.flush();
      return new Promise((resolve) => stream.end(resolve));
    },
  };
}
