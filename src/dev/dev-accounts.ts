/**
 * The further accounts in `npm run dev` (WECHAT_*_<NAME>, see src/accounts.ts):
 * each one's API client (its own AppSecret, else the offline mock the first
 * account uses), its late replies recorded in the inspector like the first
 * account's, and the same client settings for the bot's worker thread.
 */
import type { AccountConfig } from '../accounts.js';
import type { WechatClient } from '../api/client.js';
import { clientFromConfig } from '../api/stores.js';
import { FileTokenStore } from '../api/token-store.js';
import type { AppOptions } from '../server/app.js';
import type { Exchange } from '../server/exchange.js';
import type { Logger } from '../server/logger.js';
import type { StoredExchange } from './inspector/store.js';
import { lateReplies } from './late-replies.js';
import type { WorkerAccount } from './worker-services.js';

/** What {@link devAccounts} sets up. */
export interface DevAccounts {
  /** For createDevApps / createApp. */
  accounts: NonNullable<AppOptions['accounts']>;
  /** For the bot's worker: each account's client settings. */
  worker: WorkerAccount[];
  /** Lets each account's late replies link to the exchange they answer. */
  noteExchange(ex: Exchange): void;
}

type Keys = { token: string; appId?: string; encodingAESKey?: string };

/**
 * The credentials to judge or re-sign an exchange of account `name` with: a
 * further account's, else the first account's.
 *
 * @example
 * judgeExchange(ex, accountCredentials(config, others, ex.account))
 */
export function accountCredentials(first: Keys, others: Array<Keys & { name: string }>, name?: string): Keys {
  const a = (name && others.find((o) => o.name === name)) || first;
  return { token: a.token, appId: a.appId, encodingAESKey: a.encodingAESKey };
}

/**
 * @example
 * const extra = devAccounts(others, { mock: (name) => mocks[name] && { appId, appSecret, apiBase }, stateDir, logger, record: (e) => store.add(e) });
 * createDevApps({ ..., accounts: extra.accounts });
 */
export function devAccounts(extras: AccountConfig[], options: {
  /** An account's offline mock API, when the dev server runs one for it (it has no AppSecret). */
  mock?: (name: string) => { appId: string; appSecret: string; apiBase: string } | undefined;
  stateDir: string;
  logger: Logger;
  record(entry: StoredExchange): void;
}): DevAccounts {
  const tokenStore = new FileTokenStore({ dir: options.stateDir });
  const notes: Array<(ex: Exchange) => void> = [];
  const worker: WorkerAccount[] = [];
  const accounts = extras.map((account) => {
    // Its own AppSecret: the real API, as in production. None: its own offline mock.
    const api = account.appSecret ? { appId: account.appId, appSecret: account.appSecret, apiBase: account.apiBase } : options.mock?.(account.name);
    const client: WechatClient | undefined = api ? clientFromConfig(api, { tokenStore }) : undefined;
    worker.push({ name: account.name, ...api });
    const late = lateReplies({ client, logger: options.logger, record: options.record });
    notes.push((ex) => { if (ex.account === account.name) late.noteExchange(ex); });
    // As in production: without the customer-service API, WeChat's retries (or "继续") carry a late reply.
    return { ...account, lateReply: account.lateReply ?? (client ? 'kf' as const : 'retry' as const), client, onLateReply: client ? late.onLateReply : undefined };
  });
  return { accounts, worker, noteExchange: (ex) => { for (const note of notes) note(ex); } };
}
