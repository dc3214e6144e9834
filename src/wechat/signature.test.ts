import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sign, signatureMatches } from './signature.js';
import {
  plainPush,
  safeModeJson,
  sampleCppDecrypt,
  sampleJavaVerifyUrl,
  samplePythonDecrypt,
  thirdPartyXml,
  urlVerification,
} from '../../test/vectors/wechat-official.js';

describe('sign: WeChat published vectors', () => {
  it('GET verification signature (token, timestamp, nonce)', () => {
    const v = urlVerification;
    expect(sign(v.token, v.timestamp, v.nonce)).toBe(v.signature);
  });

  it('plaintext-mode push signature', () => {
    const v = plainPush;
    expect(sign(v.token, v.timestamp, v.nonce)).toBe(v.signature);
  });

  it('safe-mode push: URL signature and msg_signature over Encrypt', () => {
    const v = safeModeJson;
    expect(sign(v.token, v.timestamp, v.nonce)).toBe(v.signature);
    // The Encrypt value starts with '+', which must sort before the digits.
    expect(sign(v.token, v.timestamp, v.nonce, v.encrypt)).toBe(v.msgSignature);
  });

  it('safe-mode reply MsgSignature', () => {
    const r = safeModeJson.reply;
    expect(sign(safeModeJson.token, r.timestamp, r.nonce, r.encrypt)).toBe(r.msgSignature);
  });

  it('third-party platform push and reply signatures', () => {
    const v = thirdPartyXml;
    expect(sign(v.token, v.timestamp, v.nonce)).toBe(v.signature);
    expect(sign(v.token, v.timestamp, v.nonce, v.encrypt)).toBe(v.msgSignature);
    expect(sign(v.token, v.reply.timestamp, v.reply.nonce, v.reply.encrypt)).toBe(v.reply.msgSignature);
  });

  it('official sample code msg_signatures (Java, Python, C++ demos)', () => {
    for (const v of [sampleJavaVerifyUrl, samplePythonDecrypt, sampleCppDecrypt]) {
      const encrypted = 'echoStr' in v ? v.echoStr : v.encrypt;
      expect(sign(v.token, v.timestamp, v.nonce, encrypted)).toBe(v.msgSignature);
    }
  });
});

describe('sign: ordering', () => {
  it('does not depend on argument order', () => {
    const v = safeModeJson;
    expect(sign(v.encrypt, v.nonce, v.token, v.timestamp)).toBe(v.msgSignature);
    expect(sign(v.nonce, v.timestamp, v.token)).toBe(v.signature);
  });

  it('orders any parts as Array#sort does (code units, duplicates, empty strings, surrogates)', () => {
    const part = fc.string({ unit: fc.constantFrom('a', 'B', 'b', '0', '+', '/', '', '中', '\ud83d', '\ude00'), maxLength: 4 });
    fc.assert(fc.property(fc.array(part, { maxLength: 6 }), (parts) => {
      expect(sign(...parts)).toBe(createHash('sha1').update([...parts].sort().join('')).digest('hex'));
    }), { numRuns: 1000 });
  });

  it('sorts by code unit, not by locale', () => {
    // localeCompare would put 'a' before 'B'; WeChat's demos (PHP sort SORT_STRING, Java Arrays.sort) do not.
    const expected = createHash('sha1').update('Bab').digest('hex');
    expect(sign('b', 'a', 'B')).toBe(expected);
    expect(sign('a', 'B', 'b')).toBe(expected);
  });
});

describe('signatureMatches', () => {
  const expected = urlVerification.signature;

  it('accepts the published signature', () => {
    expect(signatureMatches(expected, expected)).toBe(true);
  });

  it('accepts upper-case hex from a client that sends it', () => {
    expect(signatureMatches(expected, expected.toUpperCase())).toBe(true);
  });

  it('rejects a missing signature', () => {
    expect(signatureMatches(expected, undefined)).toBe(false);
  });

  it('rejects a different length without throwing (timingSafeEqual would)', () => {
    expect(signatureMatches(expected, '')).toBe(false);
    expect(signatureMatches(expected, expected.slice(0, -1))).toBe(false);
    expect(signatureMatches(expected, `${expected}0`)).toBe(false);
  });

  it('rejects every single-character change', () => {
    for (let i = 0; i < expected.length; i++) {
      const flipped = expected[i] === '0' ? '1' : '0';
      const received = expected.slice(0, i) + flipped + expected.slice(i + 1);
      expect(signatureMatches(expected, received), `position ${i}`).toBe(false);
    }
  });

  it('rejects non-ASCII input of the same length instead of throwing', () => {
    // The query string is attacker-controlled: 40 UTF-16 units can be more than 40 UTF-8 bytes,
    // and 'İ'.toLowerCase() is two units, so a byte-length mismatch must not reach timingSafeEqual.
    for (const odd of ['é', '中', 'İ']) {
      const received = odd + expected.slice(1);
      expect(received.length).toBe(expected.length);
      expect(signatureMatches(expected, received), JSON.stringify(odd)).toBe(false);
    }
  });

  it('folds only A-F: a character one case bit away from a digit is not that digit', () => {
    // The replay record keys on the signature as received: a second spelling accepted here
    // would let a captured query be replayed under a fresh record.
    const at = [...expected].findIndex((c) => c >= '0' && c <= '9');
    const received = expected.slice(0, at) + String.fromCharCode(expected.charCodeAt(at) ^ 0x20) + expected.slice(at + 1);
    expect(signatureMatches(expected, received)).toBe(false);
    expect(signatureMatches(expected, expected.replace(/[a-f]/, (c) => String.fromCharCode(c.charCodeAt(0) - 33)))).toBe(false);
  });

  it('matches exactly when the received text, A-F read as a-f, is the expected text', () => {
    // Near misses of every kind: each character kept, changed in case, or replaced by one just outside the hex ranges.
    // Mostly kept or upper-cased, so about a third of the cases have no odd character and must match.
    const variant = fc.array(fc.constantFrom(...Array<string>(30).fill('keep'), ...Array<string>(10).fill('upper'), 'odd'), { minLength: expected.length, maxLength: expected.length });
    const odd = ['g', 'G', '/', ':', '@', '`', ' ', '\u0000', 'é', '０'];
    fc.assert(fc.property(variant, fc.nat(odd.length - 1), (ops, pick) => {
      const received = [...expected].map((c, i) => (ops[i] === 'upper' ? c.toUpperCase() : ops[i] === 'odd' ? odd[(pick + i) % odd.length]! : c)).join('');
      expect(signatureMatches(expected, received)).toBe(received.replace(/[A-F]/g, (c) => c.toLowerCase()) === expected);
    }), { numRuns: 500 });
  });

  it('rejects another published signature of the same length', () => {
    expect(signatureMatches(expected, plainPush.signature)).toBe(false);
  });
});
