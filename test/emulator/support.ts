/** A running example bot (src/app.ts) or a custom router, on 127.0.0.1 at a free port, for emulator tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../src/server/start.js';
import type { Router } from '../../src/wechat/router.js';
import { AES_KEY, APP_ID, TOKEN } from '../helpers/wechat-request.js';

export const credentials = { token: TOKEN, appId: APP_ID, encodingAESKey: AES_KEY };

/** The same credentials as environment variables, for the CLI. */
export const credentialEnv = { WECHAT_TOKEN: TOKEN, WECHAT_APP_ID: APP_ID, WECHAT_ENCODING_AES_KEY: AES_KEY };

export interface Bot extends RunningServer {
  /** The callback URL. */
  callback: string;
}

export async function startBot(router: Router, options: { deadlineMs?: number; path?: string } = {}): Promise<Bot> {
  const logDir = mkdtempSync(join(tmpdir(), 'wxmp-emu-'));
  const path = options.path ?? '/wechat';
  const running = await startServer(
    { ...credentials, path, port: 0, host: '127.0.0.1', deadlineMs: options.deadlineMs ?? 4000, apiBase: 'http://127.0.0.1:9', },
    { router, logDir, logger: { info: () => {}, warn: () => {}, error: () => {} } },
  );
  const close = running.close;
  return {
    ...running,
    callback: `${running.url}${path}`,
    close: async () => {
      const closing = close();
      // Sockets the emulator abandoned (timeouts) or keeps alive must not hold the port for 65 s.
      running.server.closeAllConnections();
      await closing;
      rmSync(logDir, { recursive: true, force: true });
    },
  };
}
