/**
 * `wxmp dev` / `npm run dev`: credentials, the listeners, the bot in a
 * reloadable worker, the tunnel, the request log and the dev pages, wired
 * together; and a clean stop on Ctrl-C.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { accountSecrets, parseAccounts, type AccountConfig } from '../accounts.js';
import { botLabel, requireBot } from '../bot-entry.js';
import { loadEnv, type Env } from '../config.js';
import { apiServerOptions } from '../api/server-options.js';
import { createChatApp } from '../emulator/chat/index.js';
import { createMockApi } from '../emulator/mock-api/index.js';
import type { Exchange } from '../server/exchange.js';
import { openExchangeLog } from '../server/log-file.js';
import { consoleLogger } from '../server/logger.js';
import { createRedactor, redactLogger } from '../server/redact.js';
import { formatExchange } from '../server/request-log.js';
import { createDevApps, mockApiPath, type DevApps } from './apps.js';
import { banner } from './banner.js';
import { ExchangeStore } from './inspector/store.js';
import { judgeExchange } from './inspector/verdict.js';
import { lateReplies } from './late-replies.js';
import { accountCredentials, devAccounts } from './dev-accounts.js';
import { BotHost } from './bot-host.js';
import { ensureDevCredentials } from './credentials.js';
import { removeDevState, writeDevState } from './state.js';
import { listenDev } from './listen.js';
import { chooseTunnel, openTunnel } from './tunnel-route.js';
import type { DevHandle, DevOptions, DevPanelContext, DevState } from './types.js';
import { watchSources } from './watch.js';

export type { DevHandle, DevOptions, DevPanelContext, DevState } from './types.js';

/**
 * Starts everything and resolves once the server answers.
 *
 * @example
 * const dev = await startDev({ cwd: process.cwd() });
 * console.log(dev.localUrl); // http://127.0.0.1:80
 * await dev.close();
 */
export async function startDev(options: DevOptions = {}): Promise<DevHandle> {
  const cwd = options.cwd ?? process.cwd();
  const creds = ensureDevCredentials(cwd, options.env ?? loadEnv(cwd));
  // The first account, and any further ones (WECHAT_TOKEN_<NAME>..., each at its own path).
  const [config, ...others] = parseAccounts(creds.env, { port: 80 }) as [AccountConfig, ...AccountConfig[]];
  // Every account's secrets stay out of the terminal, the log files and the inspector.
  const redact = createRedactor(accountSecrets([config, ...others]));
  const out = options.logger ?? consoleLogger;
  const logger = redactLogger(out, redact);
  const env = creds.env;
  const route = chooseTunnel(env, cwd, packageName(cwd));
  // Everything opened from here on is closed in reverse order, on close() or when start-up fails.
  const opened: Array<() => unknown> = [];
  const closeAll = async () => {
    for (const close of opened.splice(0).reverse()) await close();
  };
  try {
    return await start();
  } catch (error) {
    await closeAll();
    throw error;
  }

  async function start(): Promise<DevHandle> {
    const log = openExchangeLog(join(cwd, '.wxmp', 'logs'), { redact });
    opened.push(() => log.close());

    let apps: DevApps | undefined;
    const fetch = (req: Request, env: unknown) => (apps ? apps.main.fetch(req, env) : new Response('starting', { status: 503 }));
    const main = await listenDev(fetch, { port: config.port, host: config.host, headersTimeoutMs: options.headersTimeoutMs, onFallback: (line) => logger.warn(line) });
    opened.push(() => main.close());
    // Bounded like the main listener, but a tunnel client's idle sockets are left alone (see listenDev's idleSockets).
    const tunnelListener = await listenDev((req, env) => (apps ? apps.tunnel.fetch(req, env) : new Response('starting', { status: 503 })), { port: 0, host: '127.0.0.1', headersTimeoutMs: options.tunnelHeadersTimeoutMs ?? 10_000, requestTimeoutMs: options.tunnelRequestTimeoutMs ?? 30_000, idleSockets: true });
    opened.push(() => tunnelListener.close());

    // Offline by default: with no AppSecret the bot talks to a mock of the WeChat API on this server.
    const mockApi = config.appSecret ? undefined : createMockApi({ appId: config.appId ?? 'wxmock0000000000', appSecret: 'dev-mock-secret' });
    // A further account without one gets a mock of its own, as every real account has its own API:
    // its menu, its customer-service messages and its media are its alone.
    const accountMocks = Object.fromEntries(others.filter((a) => !a.appSecret).map((a) => [a.name, createMockApi({ appId: a.appId ?? `wxmock${a.name}`.slice(0, 18), appSecret: 'dev-mock-secret' })]));
    const mockBase = (name?: string) => `${main.url}/__wxmp/${mockApiPath(name)}`;
    const apiConfig = mockApi ? { ...config, appId: mockApi.appId, appSecret: mockApi.appSecret, apiBase: mockBase() } : config;
    const botEnv: Env = mockApi ? { ...creds.env, WECHAT_APP_ID: mockApi.appId, WECHAT_APP_SECRET: mockApi.appSecret, WECHAT_API_BASE: apiConfig.apiBase } : creds.env;
    const api = apiServerOptions(apiConfig, { logger, dir: join(cwd, '.wxmp') });
    opened.push(() => api.close());

    const store = new ExchangeStore({ max: options.maxExchanges, redact, judge: (ex) => judgeExchange(ex, accountCredentials(config, others, ex.account)) });
    const extra = devAccounts(others, { mock: (name) => accountMocks[name] && { appId: accountMocks[name].appId, appSecret: accountMocks[name].appSecret, apiBase: mockBase(name) }, stateDir: join(cwd, '.wxmp'), logger, record: (entry) => store.add(entry) });
    // The bot `npm start` and deploy would use too: WXMP_BOT, package.json "wxmp": { "bot" }, else src/app.ts.
    const entry = requireBot(cwd, { env })?.file ?? join(cwd, 'src', 'app.ts');
    const host = await BotHost.create({ cwd, entry, env: botEnv, logger, redact, accounts: extra.worker });
    opened.push(() => host.close());
    const reload = async () => {
      const result = await host.reload();
      if (result.ok) logger.info(`wxmp dev: ${result.version === 1 ? 'loaded' : 'reloaded'} ${botLabel(cwd, entry)} (v${result.version}, ${Math.round(result.ms)} ms)`);
      else logger.error(`wxmp dev: the new code failed; ${host.ready ? 'still serving the last good version' : 'fix it and save: WeChat gets 502 until then'}\n${result.error}`);
    };
    await reload();
    const late = lateReplies({ client: api.client, logger, record: (entry) => store.add(entry) });
    const onExchange = (ex: Exchange) => {
      late.noteExchange(ex);
      extra.noteExchange(ex);
      const { verdict } = store.add(ex);
      // The same verdict as the inspector's and the chat's: a reply WeChat drops is not a quiet 200.
      if (verdict && !verdict.ok) logger.warn(`${formatExchange(ex)} ✗ WeChat rejects it (${verdict.phone}): ${verdict.reason}`);
      else logger.info(formatExchange(ex));
      log.write(ex);
      options.onExchange?.(ex);
    };
    const panelContext: DevPanelContext = { config, localUrl: main.url, mockApi, store };
    // The chat talks to this server's own callback, so it sees exactly what WeChat would.
    const stopStreams = new AbortController();
    opened.push(() => stopStreams.abort());
    const chat = createChatApp({
      target: { url: `${main.url}${config.path}`, token: config.token, appId: config.appId, encodingAESKey: config.encodingAESKey, timeoutMs: options.wechatTimings?.timeoutMs },
      // Each further account at its own path, with its own Token and key, and its own mock when it has no AppSecret.
      accounts: others.map((a) => ({ name: a.name, url: `${main.url}${a.path}`, token: a.token, appId: a.appId, encodingAESKey: a.encodingAESKey, timeoutMs: options.wechatTimings?.timeoutMs, mock: accountMocks[a.name], mediaBase: accountMocks[a.name] && mockBase(a.name) })),
      mock: mockApi,
      signal: stopStreams.signal,
      mediaBase: mockApi && mockBase(),
      findExchange: (q) => {
        const ex = store.findMessage(q);
        return ex && { id: ex.id, error: ex.error && redact(`${ex.error.code}: ${ex.error.message}`) };
      },
    });
    const panels = [{ path: 'chat', title: 'Chat with your bot', app: chat }, ...(options.panels ?? []).map((p) => (typeof p === 'function' ? p(panelContext) : p))];
    apps = createDevApps({ config, router: host, panels, mockApi, accountMocks, store, port: main.port, dedupStore: api.dedupStore, onLateReply: api.client ? late.onLateReply : undefined, onLateDropped: late.onDropped, accounts: extra.accounts, onExchange, logger, retryHoldMs: options.wechatTimings?.retryHoldMs });

    // src/, and the bot itself when it lives elsewhere (WXMP_BOT=./bot.js).
    const watched = relative(join(cwd, 'src'), entry).startsWith('..') ? [join(cwd, 'src'), entry] : [join(cwd, 'src')];
    const watcher = await watchSources(watched, reload, { changedSince: () => host.changedSinceBuild() });
    opened.push(() => watcher.close());

    const state: DevState = { port: main.port, localUrl: main.url, path: config.path, pid: process.pid };
    // `wxmp send --account NAME` finds the path here.
    if (others.length) state.accounts = others.map((a) => ({ name: a.name, path: a.path }));
    if (mockApi) state.mockApi = { base: mockBase(), appId: mockApi.appId, appSecret: mockApi.appSecret };
    const saveState = () => writeDevState(cwd, state);
    saveState();
    opened.push(() => removeDevState(cwd, state));

    let bannerShown = false;
    const tunnel = openTunnel(route, {
      localPort: tunnelListener.port,
      cwd,
      logger,
      timings: options.tunnel,
      onUrl: (url) => {
        const late = bannerShown && state.publicUrl === undefined;
        state.publicUrl = url;
        state.tunnel = route.kind === 'ssh' ? 'ssh' : 'localtunnel';
        saveState();
        if (late) out.info(`wxmp dev: public URL for 接口配置信息: ${url.replace(/\/+$/, '')}${config.path}${others.map((a) => `; account ${a.name}: ${url.replace(/\/+$/, '')}${a.path}`).join('')}`);
      },
    });
    if (tunnel) opened.push(() => tunnel.close());
    // Wait a little for the public URL so the banner can show it, but never hold up local work for long.
    if (tunnel) await Promise.race([tunnel.start(), new Promise((r) => setTimeout(r, options.tunnelWaitMs ?? 3000).unref())]);
    out.info(banner({ config, accounts: others, localUrl: main.url, publicUrl: tunnel?.url, tunnelNote: tunnel ? `connecting${route.kind === 'ssh' ? ` to ${route.publicUrl} over ssh` : ''} (see the tunnel lines below)` : 'off (TUNNEL=none)', source: creds.source, credentialsFile: relative(cwd, creds.file), mockApi: !!mockApi, accountMocks: Object.keys(accountMocks), appIdStandIn: creds.appIdStandIn }));
    bannerShown = true;

    return {
      localUrl: main.url,
      port: main.port,
      tunnelPort: tunnelListener.port,
      get publicUrl() { return tunnel?.url; },
      tunnel,
      host,
      apps,
      mockApi,
      accountMocks,
      close: closeAll,
    };
  }
}

function packageName(cwd: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as { name?: string }).name;
  } catch {
    return undefined;
  }
}

/**
 * The CLI entry: runs until Ctrl-C or SIGTERM, then stops within a second.
 *
 * @example
 * // src/cli.ts
 * dev: { run: async () => (await import('./dev/command.js')).runDev({ panels: [chatPanel] }) }
 */
export async function runDev(options: Pick<DevOptions, 'panels'> = {}): Promise<number> {
  // Listen before starting: a Ctrl-C during start-up (or a signal right after the banner) must stop cleanly, not kill.
  const stop = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  const dev = await startDev(options);
  await stop;
  process.stdout.write('\nwxmp dev: stopping\n');
  // Never hang on a stuck socket: the developer pressed Ctrl-C.
  setTimeout(() => process.exit(0), 1000).unref();
  await dev.close();
  return 0;
}
