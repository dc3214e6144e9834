/**
 * Fetching an access token from WeChat. `stable_token` is the default: without
 * `force_refresh` it returns the token already in force instead of replacing
 * it, so a second fetch never breaks another process still using the first.
 */
import { callWechat, type HttpSettings } from './http.js';
import type { CredentialFetcher } from './token-cache.js';
import { ApiUnreachableError } from './errors.js';

/** `stable`: POST /cgi-bin/stable_token (default). `classic`: GET /cgi-bin/token, every fetch replaces the token. */
export type TokenEndpoint = 'stable' | 'classic';

/**
 * A {@link CredentialFetcher} for the access token.
 *
 * @example
 * const fetcher = accessTokenFetcher(http, { appId: 'wx123', appSecret, endpoint: 'stable' });
 * const { value, expiresInSeconds } = await fetcher(false);
 */
export function accessTokenFetcher(
  http: HttpSettings,
  options: { appId: string; appSecret: string; endpoint: TokenEndpoint },
): CredentialFetcher {
  return async (force) => {
    const json =
      options.endpoint === 'stable'
        ? await callWechat(http, {
            method: 'POST',
            path: '/cgi-bin/stable_token',
            json: { grant_type: 'client_credential', appid: options.appId, secret: options.appSecret, force_refresh: force },
            idempotent: true,
          })
        : await callWechat(http, {
            method: 'GET',
            path: '/cgi-bin/token',
            query: { grant_type: 'client_credential', appid: options.appId, secret: options.appSecret },
            idempotent: true,
          });
    const { access_token: value, expires_in: expiresIn } = json as { access_token?: unknown; expires_in?: unknown };
    if (typeof value !== 'string' || typeof expiresIn !== 'number') {
      throw new ApiUnreachableError('/cgi-bin/token', 'expected access_token and expires_in in the answer');
    }
    return { value, expiresInSeconds: expiresIn };
  };
}
