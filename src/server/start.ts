import type { Hono } from 'hono';
import { loadEnv, parseServerConfig, type ServerConfig } from '../config.js';
import { accountSecrets, parseAccounts, type AccountConfig } from '../accounts.js';
import { ConfigError } from '../errors.js';
import type { Router } from '../wechat/router.js';
import { apiServerOptions } from '../api/server-options.js';
import { createApp, type AppOptions } from './app.js';
import { listen, type RunningServer } from './listen.js';
import { consoleLogger, type Logger } from './logger.js';
import { openExchangeLog } from './log-file.js';
import { formatExchange } from './request-log.js';
import { rawWriter, redactStream, requestLineWriter } from './output.js';
import { createRedactor, redactLogger } from './redact.js';

export { listen, type RunningServer } from './listen.js';

/** Loads the user's bot: the default export of src/app.ts. */
export async function loadBot(): Promise<Router<any>> {
  const mod = (await import('../app.js')) as { default?: Router<any> };
  if (typeof mod.default?.dispatch !== 'function') {
    throw new ConfigError('src/app.ts: expected `export default` of a Router (createRouter()...), got ' + typeof mod.default);
  }
  return mod.default;
}

type Secrets = Pick<ServerConfig, 'token' | 'encodingAESKey' | 'appSecret'>;

/** The console logger with the secrets of every account given redacted, for everything a production process prints. */
export function productionLogger(accounts: Secrets | Secrets[], base: Logger = consoleLogger): Logger {
  return redactLogger(base, createRedactor(accountSecrets([accounts].flat())));
}

/** Everything this process prints from now on (the bot's console.log included) passes the redactor, with every account's secrets. */
export function redactProcessOutput(accounts: Secrets | Secrets[]): void {
  const redact = createRedactor(accountSecrets([accounts].flat()));
  redactStream(process.stdout, redact);
  redactStream(process.stderr, redact);
}

/**
 * The production app and its request log: JSON lines in `logDir`, and a readable
 * line per request on stdout unless `quiet`; secrets redacted in both and in
 * handler errors. `npm start`, the Docker image and deployed releases all use it.
 *
 * @example
 * const { app, closeLog } = createProductionApp(config, { router, quiet: true });
 */
export function createProductionApp(config: ServerConfig, options: Partial<AppOptions> & { router: Router; logDir?: string; quiet?: boolean }): { app: Hono; closeLog(): Promise<void> } {
  const { logDir, quiet, ...appOptions } = options;
  const redact = createRedactor(accountSecrets([config, ...(appOptions.accounts ?? [])]));
  const log = openExchangeLog(logDir ?? process.env.WXMP_LOG_DIR ?? '.wxmp/logs', { redact });
  // Already redacted: written around the process's output redaction, in one write per event-loop turn.
  const lines = quiet ? undefined : requestLineWriter(rawWriter(process.stdout));
  const app = createApp({
    config,
    ...appOptions,
    logger: redactLogger(appOptions.logger ?? consoleLogger, redact),
    onExchange: (ex) => {
      if (lines) lines.push(redact(formatExchange(ex)));
      log.write(ex);
      // Returned, so the server watches an async listener's promise: dropped here, its rejection would end the process.
      return appOptions.onExchange?.(ex);
    },
  });
  return { app, closeLog: () => { lines?.flush(); return log.close(); } };
}

/** Starts the production server with a request log on stdout and in `logDir`. */
export async function startServer(config: ServerConfig, options: Partial<AppOptions> & { router: Router; logDir?: string }): Promise<RunningServer> {
  const { app, closeLog } = createProductionApp(config, options);
  const running = await listen(app.fetch, config.port, config.host);
  const close = running.close;
  running.close = async () => {
    await close();
    await closeLog();
  };
  return running;
}

/** The line `npm start` prints once it serves. */
export function startupLine(config: ServerConfig, url: string, summary: string): string {
  return `wxmp: listening on ${url}${config.path} (${config.encodingAESKey ? 'AES key set: plaintext, compatible and safe modes' : 'plaintext mode'}); ${summary}`;
}

/** In one process, without the bundle or workers (the tests' and embedders' way); `npm start`: configuration from the environment and .env. */
export async function startFromEnv(): Promise<number> {
  const [config, ...others] = parseAccounts(loadEnv()) as [AccountConfig, ...AccountConfig[]];
  redactProcessOutput([config, ...others]);
  const router = await loadBot();
  const logger = productionLogger([config, ...others]);
  const api = apiServerOptions(config, { logger });
  // Without an AppSecret there is no customer-service API (unverified subscription accounts): WeChat's retries carry the reply.
  config.lateReply ??= api.onLateReply ? 'kf' : 'retry';
  // Further accounts (WECHAT_TOKEN_<NAME>...): their own API client; de-dup and session stores are shared (keys carry the account).
  const extra = others.map((account) => {
    const own = apiServerOptions(account, { logger });
    return { own, account: { ...account, lateReply: account.lateReply ?? (own.onLateReply ? 'kf' as const : 'retry' as const), client: own.client, onLateReply: own.onLateReply } };
  });
  const running = await startServer(config, { router, accounts: extra.map((e) => e.account), dedupStore: api.dedupStore, sessionStore: api.sessionStore, client: api.client, onLateReply: api.onLateReply });
  consoleLogger.info(startupLine(config, running.url, api.summary));
  for (const a of others) consoleLogger.info(`wxmp: account ${a.name}: ${startupLine(a, running.url, extra.find((e) => e.account.name === a.name)!.own.summary).slice('wxmp: '.length)}`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await running.close();
  await api.close();
  for (const e of extra) await e.own.close();
  return 0;
}
