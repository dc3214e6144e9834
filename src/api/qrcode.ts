/** QR codes with a scene value: scanning one sends a subscribe or SCAN event carrying the scene. */
import { ConfigError } from '../errors.js';
import type { ApiContext } from './context.js';

/** What to encode: a numeric or string scene, temporary (with `expireSeconds`) or permanent. */
export type QrCodeRequest =
  | { scene: number | string; expireSeconds: number; permanent?: false }
  | { scene: number | string; permanent: true };

/** A created QR code; `imageUrl` is the picture to show. */
export interface QrCode {
  ticket: string;
  /** The URL encoded in the picture. */
  url: string;
  expireSeconds?: number;
  imageUrl: string;
}

/** @see qrcodeApi */
export interface QrcodeApi {
  create(request: QrCodeRequest): Promise<QrCode>;
}

const MAX_TEMP_SECONDS = 30 * 24 * 3600;

function body(r: QrCodeRequest): Record<string, unknown> {
  const numeric = typeof r.scene === 'number';
  if (numeric && (!Number.isInteger(r.scene) || (r.scene as number) < 1 || (r.scene as number) > (r.permanent ? 100_000 : 0xffffffff))) {
    throw new ConfigError(`qrcode scene: expected an integer from 1 to ${r.permanent ? '100000 (permanent)' : '4294967295'}, got ${r.scene}`);
  }
  if (!numeric && (typeof r.scene !== 'string' || r.scene.length < 1 || r.scene.length > 64)) {
    throw new ConfigError(`qrcode scene: expected a number or a string of 1 to 64 characters, got ${JSON.stringify(r.scene)}`);
  }
  const scene = numeric ? { scene_id: r.scene } : { scene_str: r.scene };
  if (r.permanent) return { action_name: numeric ? 'QR_LIMIT_SCENE' : 'QR_LIMIT_STR_SCENE', action_info: { scene } };
  if (!Number.isInteger(r.expireSeconds) || r.expireSeconds < 60 || r.expireSeconds > MAX_TEMP_SECONDS) {
    throw new ConfigError(`qrcode expireSeconds: expected an integer from 60 to ${MAX_TEMP_SECONDS} (30 days), got ${JSON.stringify(r.expireSeconds)}`);
  }
  return { expire_seconds: r.expireSeconds, action_name: numeric ? 'QR_SCENE' : 'QR_STR_SCENE', action_info: { scene } };
}

/**
 * @example
 * const qr = await client.qrcode.create({ scene: 'invite:42', expireSeconds: 3600 });
 * const forever = await client.qrcode.create({ scene: 7, permanent: true });
 */
export function qrcodeApi(ctx: ApiContext): QrcodeApi {
  return {
    async create(request) {
      const json = await ctx.request({ method: 'POST', path: '/cgi-bin/qrcode/create', json: body(request), idempotent: true });
      const ticket = String(json.ticket);
      return {
        ticket,
        url: String(json.url),
        expireSeconds: typeof json.expire_seconds === 'number' ? json.expire_seconds : undefined,
        imageUrl: `https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=${encodeURIComponent(ticket)}`,
      };
    },
  };
}
