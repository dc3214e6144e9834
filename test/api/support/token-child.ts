/**
 * Run as a separate process by the token tests: makes API calls with a fresh
 * client and prints the token it used (a hash of it) as JSON.
 * Env: WECHAT_API_BASE, WECHAT_APP_ID, WECHAT_APP_SECRET, and TOKEN_DIR (file store) or REDIS_URL.
 */
import { createHash } from 'node:crypto';
import { createWechatClient } from '../../../src/api/client.js';
import { RedisTokenStore } from '../../../src/api/redis.js';
import { FileTokenStore } from '../../../src/api/token-store.js';

const env = process.env;
const tokenStore = env.REDIS_URL ? new RedisTokenStore({ url: env.REDIS_URL }) : new FileTokenStore({ dir: env.TOKEN_DIR });
const client = createWechatClient({ appId: env.WECHAT_APP_ID!, appSecret: env.WECHAT_APP_SECRET!, apiBase: env.WECHAT_API_BASE, tokenStore });
const calls = Number(env.CALLS ?? '5');
await Promise.all(Array.from({ length: calls }, (_, i) => client.user.info(`openid_child_${i}`)));
const token = await client.accessToken();
await client.close();
process.stdout.write(JSON.stringify({ token: createHash('sha256').update(token).digest('hex') }) + '\n');
