/**
 * Reads a URL's query without turning `+` into a space. URLSearchParams (and so
 * Hono's c.req.query) follow HTML form rules, but WeChat's values are signed as
 * sent, and base64 values contain `+`.
 */
export function rawQuery(url: string): Record<string, string> {
  const out: Record<string, string> = {};
  let at = url.indexOf('?');
  if (at < 0) return out;
  let end = url.indexOf('#', at);
  if (end < 0) end = url.length;
  // One pass with indexOf, no intermediate arrays: this runs for every request.
  while (at < end) {
    const start = at + 1;
    let amp = url.indexOf('&', start);
    if (amp < 0 || amp > end) amp = end;
    if (amp > start) {
      const eq = url.indexOf('=', start);
      const hasValue = eq >= 0 && eq < amp;
      const key = safeDecode(url.slice(start, hasValue ? eq : amp));
      // The first value wins, and names of Object.prototype's members are never set.
      if (out[key] === undefined) out[key] = hasValue ? safeDecode(url.slice(eq + 1, amp)) : '';
    }
    at = amp;
  }
  return out;
}

function safeDecode(text: string): string {
  // Signing parameters are plain digits and hex: skip the decoder for them (a tenth of a GET's CPU time).
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
