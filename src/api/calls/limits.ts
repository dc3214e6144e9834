/**
 * Checks of WeChat's documented limits, run before a call is sent, so a
 * mistake reads "tag name: expected at most 30 characters, got 31" instead of
 * an errcode from WeChat (and costs no quota).
 */
import { ConfigError } from '../../errors.js';

const show = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v) ?? String(v));

/**
 * A non-empty string of at most `max` characters (WeChat counts characters, not bytes, in these fields).
 *
 * @example
 * text('tag name', name, 30)
 */
export function text(name: string, value: unknown, max = Infinity): string {
  if (typeof value !== 'string' || value === '') throw new ConfigError(`${name}: expected a non-empty string, got ${show(value)}`);
  if ([...value].length > max) throw new ConfigError(`${name}: expected at most ${max} characters, got ${[...value].length}`);
  return value;
}

/**
 * An integer in [min, max].
 *
 * @example
 * int('count', count, 1, 20)
 */
export function int(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name}: expected an integer from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}, got ${show(value)}`);
  }
  return value;
}

/**
 * A user's openid.
 *
 * @example
 * openid(touser)
 */
export function openid(value: unknown, name = 'openid'): string {
  // Loose on purpose: openids differ per account and the mock's are free-form; WeChat answers 40003 for unknown ones.
  if (typeof value !== 'string' || value === '' || value.length > 64) throw new ConfigError(`${name}: expected a user's openid, got ${show(value)}`);
  return value;
}

/**
 * A list of openids, 1 to `max` of them.
 *
 * @example
 * openids(list, 50)
 */
export function openids(value: unknown, max: number, name = 'openid_list'): string[] {
  if (!Array.isArray(value) || value.length < 1 || value.length > max) {
    throw new ConfigError(`${name}: expected 1 to ${max} openids, got ${Array.isArray(value) ? `${value.length}` : show(value)}`);
  }
  value.forEach((o, i) => openid(o, `${name}[${i}]`));
  return value as string[];
}

/**
 * One of the allowed values.
 *
 * @example
 * oneOf('type', type, ['image', 'voice', 'video', 'news'])
 */
export function oneOf<T extends string | number>(name: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw new ConfigError(`${name}: expected one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${show(value)}`);
  return value as T;
}

/**
 * An array of 1 to `max` items.
 *
 * @example
 * list('articles', articles, 8)
 */
export function list<T>(name: string, value: unknown, max: number, min = 1): T[] {
  if (!Array.isArray(value) || value.length < min || value.length > max) {
    throw new ConfigError(`${name}: expected ${min} to ${max} items, got ${Array.isArray(value) ? value.length : show(value)}`);
  }
  return value as T[];
}

const DAY = 86_400_000;

/**
 * A datacube date range: `YYYY-MM-DD` strings (or Dates), begin ≤ end, spanning at
 * most `maxDays` days (WeChat's per-call span, end date included).
 *
 * @example
 * dateRange('2024-01-01', '2024-01-07', 7) // { begin_date: '2024-01-01', end_date: '2024-01-07' }
 */
export function dateRange(begin: string | Date, end: string | Date, maxDays: number): { begin_date: string; end_date: string } {
  const day = (name: string, v: unknown): string => {
    const s = v instanceof Date ? v.toISOString().slice(0, 10) : v;
    if (typeof s !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(s) || Number.isNaN(Date.parse(s))) {
      throw new ConfigError(`${name}: expected a date as YYYY-MM-DD, got ${show(v)}`);
    }
    return s;
  };
  const begin_date = day('begin_date', begin);
  const end_date = day('end_date', end);
  const span = (Date.parse(end_date) - Date.parse(begin_date)) / DAY + 1;
  if (span < 1) throw new ConfigError(`datacube range: expected begin_date ${begin_date} on or before end_date ${end_date}`);
  if (span > maxDays) {
    throw new ConfigError(`datacube range: this report allows at most ${maxDays} day${maxDays > 1 ? 's' : ''} per call, got ${span} (${begin_date} to ${end_date}); split the range`);
  }
  return { begin_date, end_date };
}

/**
 * A URL WeChat will open or fetch.
 *
 * @example
 * url('img_url', imgUrl)
 */
export function url(name: string, value: unknown): string {
  if (typeof value !== 'string' || !/^https?:\/\/\S+$/.test(value)) throw new ConfigError(`${name}: expected an http(s) URL, got ${show(value)}`);
  return value;
}
