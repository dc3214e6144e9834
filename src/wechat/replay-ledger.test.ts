import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ReplayLedger } from './replay-ledger.js';

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');
const signatureOf = (ts: number, nonce: string) => sha1(`token${ts}${nonce}`);
const T = 1_700_000_000;

describe('ReplayLedger', () => {
  it('records a first use, then returns it: the same body, another body, a GET', () => {
    const ledger = new ReplayLedger();
    const sig = signatureOf(T, 'a');
    const body = sha1('<xml>1</xml>');
    expect(ledger.record(T, sig, 'POST', body, 1000, 300)).toBeNull();
    expect(ledger.record(T, sig, 'POST', body, 5000, 300)).toEqual({ kind: 'POST', same: true, seenMs: 1000 });
    expect(ledger.record(T, sig, 'POST', sha1('<xml>2</xml>'), 6000, 300)).toEqual({ kind: 'POST', same: false, seenMs: 1000 });
    const get = signatureOf(T, 'b');
    expect(ledger.record(T, get, 'GET', '', 1000, 300)).toBeNull();
    expect(ledger.record(T, get, 'POST', body, 2000, 300)).toEqual({ kind: 'GET', same: false, seenMs: 1000 });
    expect(ledger.record(T, get, 'GET', '', 2000, 300)).toEqual({ kind: 'GET', same: true, seenMs: 1000 });
  });

  it('reads upper-case hex as lower case, and leaves what is not hex to the caller', () => {
    const ledger = new ReplayLedger();
    const sig = signatureOf(T, 'c');
    expect(ledger.record(T, sig, 'GET', '', 0, 300)).toBeNull();
    expect(ledger.record(T, sig.toUpperCase(), 'GET', '', 0, 300)).toMatchObject({ same: true });
    expect(ledger.record(T, `${sig.slice(0, 10)}zz${sig.slice(12)}`, 'GET', '', 0, 300)).toBeUndefined();
    expect(ledger.record(T, sig.slice(0, 20), 'GET', '', 0, 300)).toBeUndefined();
    const digit = [...sig].findIndex((c) => c >= '0' && c <= '9');
    expect(ledger.record(T, sig.slice(0, digit) + String.fromCharCode(sig.charCodeAt(digit) ^ 0x20) + sig.slice(digit + 1), 'GET', '', 0, 300)).toBeUndefined();
    expect(ledger.record(T, sig, 'POST', 'not hex at all!!', 0, 300)).toBeUndefined();
  });

  it('finds every record after growing far past its first table', () => {
    const ledger = new ReplayLedger();
    const sigs = Array.from({ length: 5000 }, (_, i) => signatureOf(T + (i % 3), `n${i}`));
    for (const [i, sig] of sigs.entries()) expect(ledger.record(T + (i % 3), sig, 'POST', sha1(String(i)), i, 300)).toBeNull();
    expect(ledger.size).toBe(5000);
    for (const [i, sig] of sigs.entries()) expect(ledger.record(T + (i % 3), sig, 'POST', sha1(String(i)), 10_000, 300)).toEqual({ kind: 'POST', same: true, seenMs: i });
    expect(ledger.size).toBe(5000);
  });

  it('drops records whose timestamps have left the window, keeps those still inside it', () => {
    const ledger = new ReplayLedger();
    const nowMs = T * 1000;
    const old = signatureOf(T - 290, 'old');
    const recent = signatureOf(T, 'recent');
    const ahead = signatureOf(T + 200, 'ahead');
    ledger.record(T - 290, old, 'GET', '', nowMs, 300);
    ledger.record(T, recent, 'GET', '', nowMs, 300);
    ledger.record(T + 200, ahead, 'GET', '', nowMs, 300);
    // 100 s later T - 290 is 390 s old: outside any 300 s window, so its record may go.
    ledger.record(T + 100, signatureOf(T + 100, 'tick'), 'GET', '', nowMs + 100_000, 300);
    expect(ledger.size).toBe(3);
    expect(ledger.record(T, recent, 'GET', '', nowMs + 100_000, 300)).toMatchObject({ same: true });
    expect(ledger.record(T + 200, ahead, 'GET', '', nowMs + 100_000, 300)).toMatchObject({ same: true });
  });

  it('keeps records for the widest window any caller checks with', () => {
    const ledger = new ReplayLedger();
    const nowMs = T * 1000;
    const sig = signatureOf(T - 100, 'x');
    ledger.record(T - 100, sig, 'GET', '', nowMs, 600);
    ledger.record(T, signatureOf(T, 'y'), 'GET', '', nowMs + 400_000, 60);
    // T - 100 is 500 s old, inside the 600 s window of the first caller.
    expect(ledger.record(T - 100, sig, 'GET', '', nowMs + 400_000, 600)).toMatchObject({ same: true });
  });
});
