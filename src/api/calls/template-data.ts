/**
 * WeChat's rules for the values of subscription-message and category-template
 * fields (参数值内容限制): a key's type is its name without the trailing
 * number (`thing1` is a thing, `character_string02` a character_string).
 * Keys of other shapes (`first`, `keyword1`, `remark` in old templates) carry
 * no documented rule and pass unchecked.
 */
import { ConfigError } from '../../errors.js';

const CJK = /[\u3400-\u9fff]/u;

/** [max characters, allowed pattern, what the pattern means] per type, from WeChat's table. */
const RULES: Record<string, readonly [max: number, pattern?: RegExp, means?: string]> = {
  thing: [20],
  number: [32, /^\d+(\.\d+)?$/, 'digits (a decimal point allowed)'],
  letter: [32, /^[A-Za-z]+$/, 'letters only'],
  symbol: [5, /^[^\p{L}\p{N}\s]+$/u, 'symbols only'],
  character_string: [32, /^[\x21-\x7e]+$/, 'digits, letters or symbols'],
  phone_number: [17, /^[\d+\-() ]+$/, 'digits and symbols'],
  car_number: [8],
  phrase: [5, /^[\u3400-\u9fff]+$/u, 'Chinese characters only'],
  name: [20],
};

/**
 * Checks `data` (`{ thing1: '...' | { value } }`) and returns it with every value as `{ value }`.
 *
 * @example
 * templateData({ thing1: '订单已发货', number2: { value: '3' } }) // { thing1: { value: '订单已发货' }, number2: { value: '3' } }
 */
export function templateData<V extends { value: string }>(data: Record<string, string | V>, name = 'data'): Record<string, V | { value: string }> {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new ConfigError(`${name}: expected an object of fields, got ${Array.isArray(data) ? 'an array' : typeof data}`);
  const out: Record<string, V | { value: string }> = {};
  for (const [key, raw] of Object.entries(data)) {
    const field = typeof raw === 'string' ? { value: raw } : raw;
    const value = field?.value;
    if (typeof value !== 'string') throw new ConfigError(`${name}.${key}: expected a string or { value: string }, got ${JSON.stringify(raw)}`);
    const type = /^([a-z_]+?)\d*$/.exec(key)?.[1] ?? '';
    const rule = RULES[type];
    if (rule) {
      // A name with any Chinese counts as Chinese: 10 characters; pure letters get 20.
      const max = type === 'name' && CJK.test(value) ? 10 : rule[0];
      const length = [...value].length;
      if (length > max) throw new ConfigError(`${name}.${key}: expected at most ${max} characters for a ${type} field, got ${length}`);
      if (rule[1] && value !== '' && !rule[1].test(value)) throw new ConfigError(`${name}.${key}: expected ${rule[2]} for a ${type} field, got ${JSON.stringify(value)}`);
    }
    out[key] = field;
  }
  return out;
}
