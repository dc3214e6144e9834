import { describe, expect, it } from 'vitest';
import { errorMessage, errorStack } from './error-text.js';

describe('errorMessage and errorStack', () => {
  it('show an Error by its message or stack, and anything else through String()', () => {
    const boom = new Error('boom');
    expect(errorMessage(boom)).toBe('boom');
    expect(errorStack(boom)).toBe(boom.stack);
    expect(errorMessage('thrown string')).toBe('thrown string');
    expect(errorStack(42)).toBe('42');
  });

  it('never throw, even for values String() cannot convert', () => {
    const bare = Object.assign(Object.create(null) as object, { message: 'rpc failed' });
    expect(() => String(bare)).toThrow(TypeError);
    expect(errorMessage(bare)).toBe('rpc failed');
    expect(errorStack(bare)).toBe('rpc failed');
    expect(errorMessage(Object.create(null))).toBe('[object Object]');
    const hostile = { toString() { throw new Error('no'); }, get message(): string { throw new Error('no'); } };
    expect(errorMessage(hostile)).toBe('a thrown value that cannot be shown as text');
  });
});
