/**
 * Entry of the production bundle (server.mjs), for `npm start` and deployed
 * releases alike. Run by node it is the primary: it forks WXMP_WORKERS workers
 * (src/server/primary.ts). As a cluster worker it serves the app; under the
 * deploy supervisor (WXMP_ROLE=release) it first listens on a private loopback
 * port so the supervisor can check /healthz before any real traffic reaches
 * it, and takes its share of the public port only when told "serve".
 */
import cluster from 'node:cluster';
import { loadEnv } from '../config.js';
import { parseAccounts, type AccountConfig } from '../accounts.js';
import { isWxmpError } from '../errors.js';
import { apiServerOptions } from '../api/server-options.js';
import { IPC_ADMIT_ENV, IPC_BATCH_ENV, IpcDedupStore } from '../server/ipc-dedup.js';
import { listen, type RunningServer } from '../server/listen.js';
import { runPrimary } from '../server/primary.js';
import { createProductionApp, loadBot, productionLogger, redactProcessOutput, startupLine } from '../server/start.js';

/** Messages between the primary and a worker over the cluster IPC channel. */
export type WorkerMessage = { type: 'health'; port: number } | { type: 'serving'; port: number; line: string };

/**
 * Leaves the cluster by a round trip with the primary, so no connection is lost.
 * The round-robin primary hands each connection over IPC and closes its own copy
 * only when the worker answers; one sent just before it read our server.close()
 * would stay open, unserved, if we exited without reading it (nginx: a 504 after
 * its read timeout). cluster's worker-side disconnect waits for the primary's
 * acknowledgement, and every message sent before it, such a connection included,
 * is read first and handed back ("not accepted": the primary gives it to another
 * worker). Without a primary (orphaned) there is nothing to wait for.
 */
function leaveCluster(): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected) return resolve();
    process.once('disconnect', () => resolve());
    cluster.worker!.disconnect();
  });
}

async function runWorker(): Promise<void> {
  const release = process.env.WXMP_ROLE === 'release';
  // The first account, and any further ones (WECHAT_TOKEN_<NAME>..., each at its own path).
  const [config, ...others] = parseAccounts(loadEnv()) as [AccountConfig, ...AccountConfig[]];
  redactProcessOutput([config, ...others]);
  const router = await loadBot();
  const logger = productionLogger([config, ...others]);
  // Without Redis, sessions go to files the workers of this host share (memory is per worker).
  const api = apiServerOptions(config, { logger, sessionDir: process.env.WXMP_SESSION_DIR ?? '.wxmp/sessions' });
  config.lateReply ??= api.onLateReply ? 'kf' : 'retry';
  const extra = others.map((account) => {
    const own = apiServerOptions(account, { logger });
    return { own, account: { ...account, lateReply: account.lateReply ?? (own.onLateReply ? 'kf' as const : 'retry' as const), client: own.client, onLateReply: own.onLateReply } };
  });
  // Without Redis the primary owns every key, so a retry that lands on another worker (or, during a
  // deploy, on the next release) is still a copy. A lone `npm start` worker is the only owner there is.
  const shared = release || Number(process.env.WXMP_WORKER_COUNT) > 1;
  const dedupStore = config.redisUrl || !shared ? api.dedupStore : new IpcDedupStore(process, 1000, { batch: process.env[IPC_BATCH_ENV] === '1', admit: process.env[IPC_ADMIT_ENV] === '1' });
  const summary = config.redisUrl || !shared ? api.summary : api.summary.replace('in this process', 'in the primary process, shared by its workers');
  const { app, closeLog } = createProductionApp(config, {
    router,
    version: process.env.WXMP_RELEASE,
    dedupStore,
    sessionStore: api.sessionStore,
    client: api.client,
    onLateReply: api.onLateReply,
    accounts: extra.map((e) => e.account),
    // A release's requests go to the JSON-lines log only (`wxmp deploy logs`), so the journal
    // keeps what the app itself prints (`wxmp deploy logs --app`).
    quiet: release,
  });
  let pub: RunningServer | undefined;
  let health: RunningServer | undefined;
  let retiring = false;
  const serve = async () => {
    if (pub || retiring) return;
    pub = await listen(app.fetch, config.port, config.host);
    await health?.close();
    if (release) logger.info(`wxmp: release ${process.env.WXMP_RELEASE ?? '?'} serving on ${pub.url}${config.path}; ${summary}`);
    const url = pub.url;
    const line = [startupLine(config, url, summary), ...others.map((a) => `wxmp: account ${a.name}: callback at ${url}${a.path}`)].join('\n');
    process.send!({ type: 'serving', port: pub.port, line } satisfies WorkerMessage);
  };
  // Retired (a deploy, a rollback, a stop): take no new request on any connection, finish those
  // in flight, write the log, leave. The primary kills us only past its limit. Orphaned (the
  // primary died without retiring us: SIGKILL, out of memory), node's cluster code exits the
  // worker at once, before any listener of ours runs: its requests in flight are cut off.
  const retire = async () => {
    if (retiring) return;
    retiring = true;
    await Promise.allSettled([pub?.close(), health?.close()]);
    await closeLog();
    await api.close();
    for (const e of extra) await e.own.close();
    await leaveCluster();
    process.exit(0);
  };
  process.on('message', (message: { type?: string }) => {
    if (message?.type === 'serve') void serve();
    else if (message?.type === 'retire') void retire();
  });
  // The primary closed our channel on purpose (its worker.disconnect()): the same as a retire message.
  process.on('disconnect', () => void retire());
  // Ctrl-C reaches the whole process group: the primary decides, and retires us gracefully.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => void retire());
  if (!release) return serve();
  // `exclusive` keeps this port out of the cluster's shared handles: it is ours alone.
  health = await listen(app.fetch, 0, '127.0.0.1', { exclusive: true });
  process.send!({ type: 'health', port: health.port } satisfies WorkerMessage);
}

if (cluster.isWorker) {
  await runWorker().catch((error: unknown) => {
    // An expected failure (most often a setting missing from the server's .env) is one line, not a stack.
    if (!isWxmpError(error)) throw error;
    const where = error.code === 'CONFIG_INVALID' && process.env.WXMP_ROLE === 'release' ? ' (on the server: DEPLOY_PATH/shared/.env; send one with `wxmp deploy setup --env FILE`)' : '';
    console.error(`wxmp: ${error.message}${where}`);
    process.exit(1);
  });
} else {
  process.exitCode = await runPrimary();
}
