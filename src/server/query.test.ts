import { describe, expect, it } from 'vitest';
import { rawQuery } from './query.js';

describe('rawQuery', () => {
  it('keeps + as +, since WeChat signs base64 values as sent', () => {
    expect(rawQuery('http://x/?msg_signature=a+b&nonce=1')).toEqual({ msg_signature: 'a+b', nonce: '1' });
  });
  it('decodes percent escapes, and keeps a malformed one as it came', () => {
    expect(rawQuery('http://x/?a=%2B%E4%BD%A0&b=%zz&c')).toEqual({ a: '+你', b: '%zz', c: '' });
  });
  it('takes the first of repeated keys and stops at the fragment', () => {
    expect(rawQuery('http://x/?a=1&a=2&&b=3#c=4')).toEqual({ a: '1', b: '3' });
  });
  it('reads empty values and names, and never sets Object.prototype members', () => {
    expect(rawQuery('http://x/?=v&k=&__proto__=p&constructor=c&n')).toEqual({ '': 'v', k: '', n: '' });
    expect(Object.getPrototypeOf(rawQuery('http://x/?__proto__=p'))).toBe(Object.prototype);
    expect(rawQuery('http://x/?')).toEqual({});
  });
  it('is empty without a query', () => {
    expect(rawQuery('http://x/path')).toEqual({});
  });
});
