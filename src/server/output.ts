/**
 * What a production process prints: the request lines, batched, and everything
 * else (the bot's own console.log included) redacted line by line, as the dev
 * loop does for the bot's child process.
 */
import { BatchWriter, LOG_FLUSH_MS } from './batch-writer.js';
import { redactLines, type Redactor } from './redact.js';

type Write = typeof process.stdout.write;
const originals = new WeakMap<NodeJS.WriteStream, Write>();

/**
 * Routes `stream`'s writes through `redact` a line at a time; idempotent.
 * Returns a function that writes around the redaction, for text already redacted.
 *
 * @example
 * const raw = redactStream(process.stdout, redact);
 * console.log(`token ${config.token}`); // prints "token [redacted]"
 */
export function redactStream(stream: NodeJS.WriteStream, redact: Redactor): (text: string) => boolean {
  const existing = originals.get(stream);
  if (existing) return (text) => existing.call(stream, text);
  const original = stream.write;
  originals.set(stream, original);
  const raw = (text: string): boolean => original.call(stream, text);
  const lines = redactLines(redact, (text) => { raw(text); });
  stream.write = function write(chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
    lines.write(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString(typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
    return true;
  } as Write;
  // A partial last line must not be lost when the process ends.
  process.once('exit', () => lines.end());
  return raw;
}

/** `stream`'s own write, around any redaction installed by redactStream. */
export function rawWriter(stream: NodeJS.WriteStream): (chunk: string | Uint8Array) => boolean {
  const write = originals.get(stream) ?? stream.write;
  return (chunk) => write.call(stream, chunk);
}

/**
 * Request lines for stdout, written together every {@link LOG_FLUSH_MS}; `flush` writes
 * what waits at once (before the process exits).
 *
 * @example
 * const out = requestLineWriter((chunk) => process.stdout.write(chunk));
 * out.push('12:00:01 GET / 200 0ms WeChat URL verification');
 */
export function requestLineWriter(write: (chunk: Uint8Array) => boolean, stream: NodeJS.WriteStream = process.stdout): { push(line: string): void; flush(): void } {
  const writer = new BatchWriter(
    { write, pending: () => stream.writableLength },
    { droppedLine: (count) => `wxmp: ${count} request log lines dropped: stdout did not keep up\n`, delayMs: LOG_FLUSH_MS },
  );
  return { push: (line) => writer.push(`${line}\n`), flush: writer.flush };
}
