import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { exchangeError, exchangeIds } from './exchange.js';

describe('exchangeIds', () => {
  it('gives the start time and a counter in base 36, unique within and across milliseconds', () => {
    const id = exchangeIds();
    expect(id(1700000000000)).toBe('loyw3v28-0');
    expect(id(1700000000000)).toBe('loyw3v28-1');
    expect(id(1700000000001)).toBe('loyw3v29-2');
    expect(id(1700000000000)).toBe('loyw3v28-3');
    expect(exchangeIds()(1700000000000)).toBe('loyw3v28-0');
  });
});

describe('exchangeError', () => {
  it('keeps a wxmp error\'s code without its stack, and any other error as HANDLER_ERROR with its stack', () => {
    expect(exchangeError(new ConfigError('bad setting'))).toEqual({ code: 'CONFIG_INVALID', message: 'bad setting', stack: undefined });
    const boom = new Error('boom');
    expect(exchangeError(boom)).toEqual({ code: 'HANDLER_ERROR', message: 'boom', stack: boom.stack });
    expect(exchangeError('thrown string')).toEqual({ code: 'HANDLER_ERROR', message: 'thrown string' });
  });
});
