/** Serves the mock WeChat API on 127.0.0.1 at a free port, for one test file. */
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createMockApi, type MockApi, type MockApiOptions } from '../../../src/emulator/mock-api/index.js';

export interface RunningMock {
  mock: MockApi;
  /** The origin to use as WECHAT_API_BASE. */
  url: string;
  close(): Promise<void>;
}

export async function startMock(options: MockApiOptions = {}): Promise<RunningMock> {
  const mock = createMockApi(options);
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: mock.app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    mock,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        // Timed-out clients may leave sockets open; do not wait for them.
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
