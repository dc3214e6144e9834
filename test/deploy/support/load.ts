/**
 * Continuous signed WeChat traffic through nginx, counting every request that
 * did not get a 200 with a reply. Used by the zero-downtime tests and the bench.
 */
import { Agent, request } from 'node:http';
import { wechatPost } from '../../helpers/wechat-request.js';
import { envelope } from '../../fixtures/messages.js';

export interface LoadResult {
  sent: number;
  failed: number;
  /** Distinct reply texts seen, in order of first appearance. */
  replies: string[];
  failures: string[];
  /** Every answer: when it arrived (Date.now()) and its reply text. */
  log: Array<{ at: number; text: string }>;
}

/**
 * How long one request may take before it counts as lost. These files run beside
 * others (CI: the whole suite, Chromium included, on 2 cores), where a starved
 * machine can hold a healthy answer past WeChat's 5 s: that is latency, which the
 * bench measures. A request lost or stuck at a switch never answers, and still fails.
 */
export const REQUEST_TIMEOUT_MS = 30_000;

let msgId = 5_000_000_000_000_000;

/** One signed plaintext text message to `port` (nginx, or the app directly); resolves to status, body and the headers that say why a "success" was sent. */
export function sendText(port: number, content: string, agent?: Agent): Promise<{ status: number; body: string; why: string }> {
  const id = msgId++;
  const xml = envelope(`<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${id}</MsgId>`, `oLoad${msgId % 1000}`);
  const { url, body } = wechatPost(xml, 'plaintext');
  const started = Date.now();
  // The message and its timing in every failure: enough to find it in the release's request log.
  const where = () => `msg ${id}, sent ${new Date(started).toISOString()}, after ${Date.now() - started} ms`;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: url, method: 'POST', agent, timeout: REQUEST_TIMEOUT_MS, headers: { 'content-type': 'text/xml', host: 'wx.test.local' } }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { data += d; });
      const why = ['x-wxmp-dedup', 'x-wxmp-handler'].filter((h) => res.headers[h]).map((h) => `${h}: ${String(res.headers[h])}`).concat(where()).join('; ');
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data, why }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
    req.on('error', (error) => reject(new Error(`${error.message} (${where()})`)));
    req.end(body);
  });
}

/** The text of a plaintext text reply. */
export function replyText(body: string): string {
  return /<Content><!\[CDATA\[([\s\S]*?)\]\]><\/Content>/.exec(body)?.[1] ?? '';
}

/** Starts `concurrency` loops of requests (one every `gapMs`); stop() resolves to the tally. */
export function startLoad(port: number, options: { concurrency?: number; gapMs?: number } = {}): { stop(): Promise<LoadResult>; settled(count?: number): Promise<void> } {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency ?? 4 });
  const result: LoadResult = { sent: 0, failed: 0, replies: [], failures: [], log: [] };
  let running = true;
  const loop = async () => {
    while (running) {
      result.sent++;
      try {
        const res = await sendText(port, 'load', agent);
        const text = replyText(res.body);
        result.log.push({ at: Date.now(), text });
        if (res.status !== 200 || !text) {
          result.failed++;
          result.failures.push(`${res.status} ${res.body.slice(0, 80)} (${res.why})`);
        } else if (!result.replies.includes(text)) result.replies.push(text);
      } catch (error) {
        result.failed++;
        result.failures.push((error as Error).message);
      }
      await new Promise((r) => setTimeout(r, options.gapMs ?? 5));
    }
  };
  const loops = Array.from({ length: options.concurrency ?? 4 }, loop);
  return {
    /** Resolves once `count` more answers came in (30 s at most): the load demonstrably ran across that moment. */
    async settled(count = 10) {
      const target = result.log.length + count;
      for (let i = 0; i < 600 && result.log.length + result.failed < target; i++) await new Promise((r) => setTimeout(r, 50));
    },
    async stop() {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      return result;
    },
  };
}
