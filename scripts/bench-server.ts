// A server process for scripts/bench.ts: `bare` (Hono answering a constant: the ceiling) or `wxmp`
// (the core app: createApp with a silent logger and no request log).
import { Hono } from 'hono';
import { createApp } from '../src/server/app.js';
import { silentLogger } from '../src/server/logger.js';
import { listen } from '../src/server/start.js';
import router from './bench-bot.js';

const [kind = 'wxmp'] = process.argv.slice(2);
const { BENCH_TOKEN = '', BENCH_AES_KEY = '', BENCH_APP_ID = '' } = process.env;

let fetch: (req: Request) => Response | Promise<Response>;
if (kind === 'bare') {
  const app = new Hono();
  // Reads the body like any WeChat endpoint must, then answers a constant.
  app.get('/', (c) => c.text('success'));
  app.post('/', async (c) => {
    await c.req.text();
    return c.text('success');
  });
  fetch = app.fetch;
} else {
  fetch = createApp({ config: { token: BENCH_TOKEN, appId: BENCH_APP_ID, encodingAESKey: BENCH_AES_KEY, path: '/' }, router, logger: silentLogger }).fetch;
}
const server = await listen(fetch, 0, '127.0.0.1');
console.log(`READY ${server.port}`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
