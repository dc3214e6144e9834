/**
 * Keeps secrets out of logs: the Token, EncodingAESKey and AppSecret by value,
 * and any access_token in a URL by pattern, since API error messages quote URLs.
 */

/** Turns a log line into one without secrets. */
export type Redactor = (text: string) => string;

const ACCESS_TOKEN = /(access_token=)[^&\s"'<>]+/g;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * @example
 * const redact = createRedactor([config.token, config.encodingAESKey, config.appSecret]);
 * redact('GET /cgi-bin/menu/get?access_token=abc') // 'GET /cgi-bin/menu/get?access_token=[redacted]'
 */
export function createRedactor(secrets: Array<string | undefined>): Redactor {
  // Very short values would blank out ordinary words; WeChat's Token has at least 3 characters.
  const values = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= 3))].sort((a, b) => b.length - a.length);
  const byValue = values.length ? new RegExp(values.map(escapeRegExp).join('|'), 'g') : undefined;
  return (text) => {
    const out = text.replace(ACCESS_TOKEN, '$1[redacted]');
    return byValue ? out.replace(byValue, '[redacted]') : out;
  };
}
