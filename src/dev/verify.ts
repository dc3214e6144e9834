/**
 * `wxmp verify [url]`: does what WeChat does when you press 提交 on the
 * 接口配置信息 page (a signed GET with an echostr) and says whether WeChat
 * would accept the answer, and if not, why.
 */
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { parseArgs } from 'node:util';
import { accountEnv, selectAccount } from '../accounts.js';
import { loadEnv, type Env } from '../config.js';
import { ConfigError } from '../errors.js';
import { sign } from '../wechat/signature.js';
import { parsePort } from '../emulator/target.js';
import { readDevEnv, readDevState } from './state.js';

/** The verdict of {@link verifyCallback}. */
export interface VerifyResult {
  ok: boolean;
  url: string;
  /** One line: the verdict and, on failure, the likely cause and the fix. */
  message: string;
  /** Extra remarks that do not decide the verdict (e.g. a port WeChat will not call). */
  notes: string[];
}

/** Options of {@link verifyCallback}; all optional. */
export interface VerifyOptions {
  /** The callback URL; by default the running dev server's (from .wxmp/dev-state.json). */
  url?: string;
  /** The dev server on this port, when several run in this checkout. */
  port?: number;
  /** A further account (`shop` for WECHAT_TOKEN_SHOP ...): its Token and callback path. Default the first. */
  account?: string;
  token?: string;
  cwd?: string;
  env?: Env;
  /** WeChat waits 5 s. */
  timeoutMs?: number;
}

/** The Token: option, env/.env, or the one `npm run dev` generated. */
function findToken(cwd: string, env: Env): string {
  const fromEnv = env.WECHAT_TOKEN?.trim();
  if (fromEnv) return fromEnv;
  const generated = readDevEnv(cwd)?.WECHAT_TOKEN;
  if (generated) return generated;
  throw new ConfigError('no Token to sign with: expected WECHAT_TOKEN in the environment or .env (or --token), got nothing; `npm run dev` generates one');
}

/** `env` is the account's own (see accountEnv): its WECHAT_PATH is the account's. */
function findUrl(cwd: string, env: Env, port?: number, account?: string): string {
  const state = readDevState(cwd, { port });
  if (port !== undefined && !state) return `http://127.0.0.1:${port}${env.WECHAT_PATH ?? '/'}`;
  const served = account ? state?.accounts?.find((a) => a.name === account)?.path : state?.path;
  const path = served ?? env.WECHAT_PATH ?? '/';
  const base = state?.publicUrl ?? state?.localUrl ?? `http://127.0.0.1:${env.PORT ?? 80}`;
  return `${base.replace(/\/+$/, '')}${path}`;
}

function get(url: URL, timeoutMs: number): Promise<{ status: number; body: string; ms: number }> {
  const started = performance.now();
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    // No browser User-Agent, like WeChat's own request (a browser one would get loca.lt's reminder page).
    const req = send(url, { method: 'GET', timeout: timeoutMs, headers: { 'user-agent': 'wxmp-verify' }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { if (body.length < 4096) body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - started }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', reject);
    req.end();
  });
}

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > 80 ? `${flat.slice(0, 79)}…` : flat);
}

/**
 * @example
 * const result = await verifyCallback({ url: 'https://wxmp-1a2b3c4d.loca.lt/' });
 * console.log(result.message); // "OK: WeChat would accept https://... with this Token (answered in 41 ms)"
 */
export async function verifyCallback(options: VerifyOptions = {}): Promise<VerifyResult> {
  const cwd = options.cwd ?? process.cwd();
  const loaded = options.env ?? loadEnv(cwd);
  const account = selectAccount(loaded, options.account);
  const env = account ? accountEnv(loaded, account) : loaded;
  const token = options.token ?? findToken(cwd, env);
  const target = options.url ?? findUrl(cwd, env, options.port, account);
  let url: URL;
  try { url = new URL(target); } catch { throw new ConfigError(`url: expected an http(s) URL such as https://example.com/wechat, got ${JSON.stringify(target)}`); }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`url: expected http or https, got ${url.protocol}`);
  const timeoutMs = options.timeoutMs ?? 5000;
  const notes: string[] = [];
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  if (port !== '80' && port !== '443') notes.push(`WeChat only calls ports 80 and 443; ${url.host} will not be reached by WeChat even if this check passes`);
  if (/^(127\.|localhost$|\[::1\]$)/.test(url.hostname)) notes.push('this is a local address: WeChat cannot reach it; check the public (tunnel) URL too');

  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(6).toString('hex');
  const echostr = randomBytes(9).toString('hex');
  url.searchParams.set('signature', sign(token, timestamp, nonce));
  url.searchParams.set('timestamp', timestamp);
  url.searchParams.set('nonce', nonce);
  url.searchParams.set('echostr', echostr);
  const shown = `${url.origin}${url.pathname}`;
  const fail = (message: string): VerifyResult => ({ ok: false, url: shown, message, notes });

  let res: { status: number; body: string; ms: number };
  try {
    res = await get(url, timeoutMs);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'TIMEOUT') return fail(`no answer within ${timeoutMs} ms from ${shown}: WeChat gives up after 5 s (is the server stuck, or the tunnel dead?)`);
    if (code === 'ECONNREFUSED') return fail(`nothing listens at ${url.host} (connection refused): start the server (npm run dev) or check the port`);
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return fail(`cannot resolve ${url.hostname}: check the host name (a tunnel URL changes when its name is taken)`);
    return fail(`cannot reach ${shown}: ${(error as Error).message}`);
  }
  if (res.status === 404) return fail(`wrong path: ${shown} answered 404 ${clip(res.body)}; use the path the server has its callback on (WECHAT_PATH)`);
  if (res.status === 403) return fail(`wrong token: ${shown} rejected the signature (403); the Token in WeChat's page must equal the server's WECHAT_TOKEN`);
  if (res.status === 502 && /bot not loaded/.test(res.body)) {
    return fail(`${shown} is up but its bot is not loaded (502): src/app.ts failed to build or load; fix the error shown in the dev terminal and save`);
  }
  if (res.status === 401 && /localtunnel|Friendly Reminder|Tunnel website ahead/i.test(res.body)) {
    return fail('the localtunnel reminder page answered (401) instead of the bot; see docs/dev.md (self-hosted tunnel) for a route without it');
  }
  if (res.status !== 200) return fail(`${shown} answered ${res.status} ${clip(res.body)}; WeChat needs 200 with the echostr as the whole body`);
  if (res.body !== echostr) return fail(`${shown} answered 200 but with ${clip(res.body)} instead of the echostr; WeChat would reject it (is this URL the bot's callback?)`);
  const whose = account && !options.token ? `account ${account}'s Token` : 'this Token';
  return { ok: true, url: shown, message: `OK: WeChat would accept ${shown} with ${whose} (answered the echostr in ${Math.round(res.ms)} ms)`, notes };
}

/** The CLI entry (`wxmp verify [url] [--port P] [--account NAME] [--token T] [--timeout ms]`): prints the verdict and notes; exit code 0 when WeChat would accept. */
export async function verifyCommand(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { token: { type: 'string' }, port: { type: 'string' }, account: { type: 'string' }, timeout: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write('Usage: wxmp verify [url] [--port P] [--account NAME] [--token T] [--timeout ms]\n  url: default the running `npm run dev` (its public URL when the tunnel is up)\n  --port: the dev server on this port, when several run in this checkout\n  --account: a further account (WECHAT_TOKEN_<NAME>...): its Token and callback path\n');
    return 0;
  }
  if (positionals.length > 1) throw new ConfigError(`expected at most one URL, got ${positionals.length}: ${positionals.join(' ')}`);
  const timeoutMs = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeoutMs !== undefined && !(timeoutMs > 0)) throw new ConfigError(`--timeout: expected a number of ms above 0, got ${JSON.stringify(values.timeout)}`);
  const result = await verifyCallback({ url: positionals[0], port: parsePort(values.port), account: values.account, token: values.token, timeoutMs });
  (result.ok ? process.stdout : process.stderr).write(`wxmp verify: ${result.message}\n`);
  for (const note of result.notes) process.stdout.write(`  note: ${note}\n`);
  return result.ok ? 0 : 1;
}
