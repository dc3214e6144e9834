/** The inspector's memory: the latest exchanges, capped, with live subscribers. */
import type { Exchange } from '../../server/exchange.js';
import { formatExchange } from '../../server/request-log.js';

/** One row of the inspector's list. */
export interface ExchangeSummary {
  id: string;
  time: number;
  method: string;
  path: string;
  status: number;
  durationMs: number;
  kind: Exchange['kind'];
  /** The request log's line for it: the gist of the message and the reply. */
  line: string;
  error: boolean;
  replayOf?: string;
}

/** An exchange as kept; a replay names the exchange it repeats. */
export type StoredExchange = Exchange & { replayOf?: string };

/**
 * @example
 * const store = new ExchangeStore({ max: 200 });
 * app = createApp({ ..., onExchange: (ex) => store.add(ex) });
 */
export class ExchangeStore {
  private readonly items: StoredExchange[] = [];
  private readonly listeners = new Set<(summary: ExchangeSummary) => void>();
  private readonly max: number;
  private readonly redact: (text: string) => string;

  constructor(options: { max?: number; redact?: (text: string) => string } = {}) {
    this.max = options.max ?? 200;
    this.redact = options.redact ?? ((text) => text);
  }

  /** Records an exchange; a replay carries `replayOf`, the id it repeats. */
  add(exchange: StoredExchange): void {
    const stored = exchange;
    this.items.push(stored);
    if (this.items.length > this.max) this.items.splice(0, this.items.length - this.max);
    const summary = this.summary(stored);
    for (const listener of this.listeners) listener(summary);
  }

  /** Newest first. */
  list(): ExchangeSummary[] {
    return this.items.map((ex) => this.summary(ex)).reverse();
  }

  get(id: string): StoredExchange | undefined {
    return this.items.find((ex) => ex.id === id);
  }

  /** The whole exchange as JSON, secrets redacted like the log's (an error may quote a URL with access_token). */
  detailJson(id: string): string | undefined {
    const ex = this.get(id);
    return ex && this.redact(JSON.stringify(ex));
  }

  /** Calls `listener` for each new exchange; returns the unsubscribe function. */
  subscribe(listener: (summary: ExchangeSummary) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private summary(ex: StoredExchange): ExchangeSummary {
    return {
      id: ex.id, time: ex.time, method: ex.method, path: ex.path, status: ex.status, durationMs: ex.durationMs, kind: ex.kind,
      line: this.redact(formatExchange(ex)), error: ex.error !== undefined, replayOf: ex.replayOf,
    };
  }
}
