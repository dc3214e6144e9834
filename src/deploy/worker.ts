/**
 * Entry of a release's bundle (server.mjs), run as a cluster worker by the
 * supervisor. It first listens on a private loopback port so the supervisor can
 * check /healthz before any real traffic reaches it; only when told "serve" does
 * it take its share of the public port. Run alone (no supervisor) it behaves
 * like `wxmp start`.
 */
import cluster from 'node:cluster';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { loadEnv, parseServerConfig } from '../config.js';
import { isWxmpError } from '../errors.js';
import { apiServerOptions } from '../api/server-options.js';
import { createProductionApp, listen, loadBot, productionLogger, redactProcessOutput, startFromEnv, type RunningServer } from '../server/start.js';

/** Messages between the supervisor and a worker over the cluster IPC channel. */
export type WorkerMessage = { type: 'health'; port: number } | { type: 'serving'; port: number };

async function runWorker(): Promise<void> {
  const config = parseServerConfig(loadEnv());
  redactProcessOutput(config);
  const router = await loadBot();
  const logger = productionLogger(config);
  const api = apiServerOptions(config, { logger });
  config.lateReply ??= api.onLateReply ? 'kf' : 'retry';
  const { app, closeLog } = createProductionApp(config, {
    router,
    version: process.env.WXMP_RELEASE,
    dedupStore: api.dedupStore,
    sessionStore: api.sessionStore,
    client: api.client,
    onLateReply: api.onLateReply,
    // Requests go to the JSON-lines log only (`wxmp deploy logs`), so the journal
    // keeps what the app itself prints (`wxmp deploy logs --app`).
    quiet: true,
  });
  // `exclusive` keeps this port out of the cluster's shared handles: it is ours alone.
  const health = await listenExclusive(app.fetch);
  let pub: RunningServer | undefined;
  process.send!({ type: 'health', port: health.port } satisfies WorkerMessage);
  process.on('message', async (message: { type?: string }) => {
    if (message?.type !== 'serve' || pub) return;
    pub = await listen(app.fetch, config.port, config.host);
    await health.close();
    logger.info(`wxmp: release ${process.env.WXMP_RELEASE ?? '?'} serving on ${pub.url}${config.path}; ${api.summary}`);
    process.send!({ type: 'serving', port: pub.port } satisfies WorkerMessage);
  });
  // The supervisor retires a worker with disconnect(): finish in-flight requests, then leave.
  process.on('disconnect', async () => {
    await Promise.allSettled([pub?.close(), health.close()]);
    await closeLog();
    await api.close();
    process.exit(0);
  });
}

function listenExclusive(fetch: (req: Request) => Response | Promise<Response>): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = createAdaptorServer({ fetch }) as Server;
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const { port } = server.address() as AddressInfo;
      const close = () => new Promise<void>((done) => {
        if (!server.listening) return done();
        server.close(() => done());
        server.closeIdleConnections();
      });
      resolve({ url: `http://127.0.0.1:${port}`, port, server, close });
    });
  });
}

if (cluster.isWorker) {
  await runWorker().catch((error: unknown) => {
    // An expected failure (most often a setting missing from the server's .env) is one line, not a stack.
    if (!isWxmpError(error)) throw error;
    const where = error.code === 'CONFIG_INVALID' ? ' (on the server: DEPLOY_PATH/shared/.env; send one with `wxmp deploy setup --env FILE`)' : '';
    console.error(`wxmp: ${error.message}${where}`);
    process.exit(1);
  });
} else {
  process.exitCode = await startFromEnv();
}
