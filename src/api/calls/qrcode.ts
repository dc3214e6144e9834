/** QR codes with a scene value, and short keys (短key托管). */
import { ConfigError } from '../../errors.js';
import { post } from './define.js';
import { int, text } from './limits.js';

/** What to encode: a numeric or string scene, temporary (with `expire_seconds`) or permanent. */
export type QrCodeRequest = { scene: number | string; expire_seconds: number; permanent?: false } | { scene: number | string; permanent: true };

/** A created QR code: WeChat's answer plus `image_url`, the picture to show (showqrcode with the ticket). */
export interface QrCode {
  ticket: string;
  /** The URL encoded in the picture. */
  url: string;
  expire_seconds?: number;
  image_url: string;
}

const MAX_TEMP_SECONDS = 30 * 24 * 3600;

function body(r: QrCodeRequest): Record<string, unknown> {
  const numeric = typeof r?.scene === 'number';
  if (numeric && (!Number.isInteger(r.scene) || (r.scene as number) < 1 || (r.scene as number) > (r.permanent ? 100_000 : 0xffffffff))) {
    throw new ConfigError(`qrcode scene: expected an integer from 1 to ${r.permanent ? '100000 (permanent)' : '4294967295'}, got ${r.scene}`);
  }
  if (!numeric && (typeof r?.scene !== 'string' || r.scene.length < 1 || r.scene.length > 64)) {
    throw new ConfigError(`qrcode scene: expected a number or a string of 1 to 64 characters, got ${JSON.stringify(r?.scene)}`);
  }
  const scene = numeric ? { scene_id: r.scene } : { scene_str: r.scene };
  if (r.permanent) return { action_name: numeric ? 'QR_LIMIT_SCENE' : 'QR_LIMIT_STR_SCENE', action_info: { scene } };
  if (!Number.isInteger(r.expire_seconds) || r.expire_seconds < 60 || r.expire_seconds > MAX_TEMP_SECONDS) {
    throw new ConfigError(`qrcode expire_seconds: expected an integer from 60 to ${MAX_TEMP_SECONDS} (30 days), got ${JSON.stringify(r.expire_seconds)}`);
  }
  return { expire_seconds: r.expire_seconds, action_name: numeric ? 'QR_SCENE' : 'QR_STR_SCENE', action_info: { scene } };
}

export const qrcodeCalls = {
  create: post('/cgi-bin/qrcode/create', ['Generating QR codes with parameters', '生成带参数的二维码'], {
    safe: true,
    request: (r: QrCodeRequest) => ({ json: body(r) }),
    result: (json): QrCode => {
      const ticket = String(json.ticket);
      return {
        ticket,
        url: String(json.url),
        expire_seconds: typeof json.expire_seconds === 'number' ? json.expire_seconds : undefined,
        image_url: `https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=${encodeURIComponent(ticket)}`,
      };
    },
  }),
};

export const shortKeyCalls = {
  /** Stores up to 4 KB of text for up to 30 days; resolves to the short key (e.g. for a QR code scene). */
  gen: post('/cgi-bin/shorten/gen', ['Short key: generate', '短key托管 生成短key'], {
    request: (longData: string, expireSeconds = MAX_TEMP_SECONDS) => {
      if (typeof longData !== 'string' || !longData || Buffer.byteLength(longData) > 4096) throw new ConfigError(`long_data: expected 1 to 4096 bytes of text, got ${typeof longData === 'string' ? Buffer.byteLength(longData) : typeof longData}`);
      return { json: { long_data: longData, expire_seconds: int('expire_seconds', expireSeconds, 1, MAX_TEMP_SECONDS) } };
    },
    result: (j) => String(j.short_key),
  }),
  fetch: post('/cgi-bin/shorten/fetch', ['Short key: fetch', '短key托管 获取长信息'], {
    safe: true,
    request: (shortKey: string) => ({ json: { short_key: text('short_key', shortKey) } }),
    result: (j) => ({ long_data: String(j.long_data), create_time: Number(j.create_time), expire_seconds: Number(j.expire_seconds) }),
  }),
};
