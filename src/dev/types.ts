/** The dev server's options, handle and state file, shared by its modules and its users. */
import type { Env, ServerConfig } from '../config.js';
import type { MockApi } from '../emulator/mock-api/index.js';
import type { Exchange } from '../server/exchange.js';
import type { Logger } from '../server/logger.js';
import type { DevApps, DevPanel } from './apps.js';
import type { BotHost } from './bot-host.js';
import type { ExchangeStore } from './inspector/store.js';
import type { PublicTunnel, TunnelTimings } from './tunnel-route.js';

/** Options of `startDev`; all optional. */
export interface DevOptions {
  cwd?: string;
  /** Default: the process environment over `.env`. */
  env?: Env;
  logger?: Logger;
  /** Pages under `/__wxmp/<path>`; a function gets the running server's details first (e.g. for the chat page). */
  panels?: Array<DevPanel | ((context: DevPanelContext) => DevPanel)>;
  /** Header timeout of the main listener (ms); Node's default otherwise. */
  headersTimeoutMs?: number;
  /** Header timeout of the tunnel's listener, counted from a request's first byte (idle tunnel sockets are never cut). Default 10 s. */
  tunnelHeadersTimeoutMs?: number;
  /** Whole-request timeout of the tunnel's listener, from its first byte. Default 30 s. */
  tunnelRequestTimeoutMs?: number;
  /** Tunnel timings (tests make them short). */
  tunnel?: TunnelTimings;
  /** How long start-up waits for the tunnel before printing the banner. Default 3 s. */
  tunnelWaitMs?: number;
  /**
   * WeChat's timings as the dev server plays them (tests make them short): how long the chat
   * waits for each try (default 5000, WeChat's) and how long a try held by WECHAT_LATE_REPLY=retry
   * stays open (default 5500).
   */
  wechatTimings?: { timeoutMs?: number; retryHoldMs?: number };
  /** How many exchanges the inspector keeps (the page keeps as many). Default 200. */
  maxExchanges?: number;
  /** Called with every exchange, after the log. */
  onExchange?: (ex: Exchange) => void;
}

/** What a panel factory gets: enough to talk to the bot the way WeChat does. */
export interface DevPanelContext {
  config: ServerConfig;
  /** The main listener, e.g. `http://127.0.0.1:80`. */
  localUrl: string;
  /** The mock WeChat API, when the dev server runs offline (no WECHAT_APP_SECRET). */
  mockApi?: MockApi;
  store: ExchangeStore;
}

/** A running dev server. */
export interface DevHandle {
  localUrl: string;
  port: number;
  /** Port of the listener only the tunnel client connects to. */
  tunnelPort: number;
  readonly publicUrl?: string;
  tunnel?: PublicTunnel;
  host: BotHost;
  apps: DevApps;
  mockApi?: MockApi;
  /** Further accounts' own mocks (those without an AppSecret), by account name. */
  accountMocks: Record<string, MockApi>;
  close(): Promise<void>;
}

/** What `.wxmp/dev-state.json` holds while the dev server runs (the emulator's default target). */
export interface DevState {
  port: number;
  localUrl: string;
  publicUrl?: string;
  /** The route of publicUrl. */
  tunnel?: 'ssh' | 'localtunnel';
  path: string;
  /** Further accounts and their callback paths, when WECHAT_*_<NAME> configures some. */
  accounts?: Array<{ name: string; path: string }>;
  pid: number;
  /** The offline mock WeChat API when no AppSecret is configured; its secret is a fixed, public stand-in. */
  mockApi?: { base: string; appId: string; appSecret: string };
}
