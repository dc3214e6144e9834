/** A message server in its own process with sessions in Redis; prints its URL. */
import { createApp } from '../../src/server/app.js';
import { silentLogger } from '../../src/server/logger.js';
import { listen } from '../../src/server/start.js';
import { connectRedis } from '../../src/api/redis.js';
import { RedisSessionStore } from '../../src/server/session-redis.js';
import { createRouter } from '../../src/wechat/router.js';
import { TOKEN } from '../helpers/wechat-request.js';

const redis = connectRedis(process.env.REDIS_URL!);
const router = createRouter<{ count?: number; seenBy?: string[] }>().on('text', (_m, { session }) => {
  session.count = (session.count ?? 0) + 1;
  session.seenBy = [...(session.seenBy ?? []), process.env.NAME!];
  return `${session.count} ${session.seenBy.join(',')}`;
});
const app = createApp({ config: { token: TOKEN, path: '/' }, router, sessionStore: new RedisSessionStore({ redis }), logger: silentLogger });
const server = await listen(app.fetch, 0, '127.0.0.1');
console.log(server.url);
process.on('SIGTERM', async () => {
  await server.close();
  await redis.quit();
  process.exit(0);
});
