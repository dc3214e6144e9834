/**
 * Reads what the chat page asks to send (JSON) into a {@link UserAction},
 * checked field by field: the page is ours, but the endpoint is still input.
 */
import { ConfigError } from '../../errors.js';
import type { UserAction } from '../request.js';

type Json = Record<string, unknown>;

function field(body: Json, name: string, required: true): string;
function field(body: Json, name: string, required?: false): string | undefined;
function field(body: Json, name: string, required = false): string | undefined {
  const value = body[name];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value === '' || value.length > 2048) {
    throw new ConfigError(`${String(body.kind)}: ${name}: expected a non-empty string of at most 2048 characters, got ${value === undefined ? 'nothing' : typeof value === 'string' ? `${value.length} characters` : typeof value}`);
  }
  return value;
}

function coordinate(body: Json, name: string): number {
  const value = Number(body[name]);
  if (body[name] === undefined || body[name] === '' || !Number.isFinite(value)) throw new ConfigError(`location: ${name}: expected a number, got ${JSON.stringify(body[name] ?? null)}`);
  return value;
}

function oneOf<T extends string>(body: Json, name: string, values: readonly T[]): T {
  const value = body[name];
  if (typeof value !== 'string' || !values.includes(value as T)) throw new ConfigError(`${String(body.kind)}: ${name}: expected ${values.join(' or ')}, got ${JSON.stringify(value ?? null)}`);
  return value as T;
}

/**
 * @example
 * actionFromJson({ kind: 'click', key: 'TODAY' }) // { kind: 'click', key: 'TODAY' }
 */
export function actionFromJson(body: unknown): UserAction {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ConfigError(`expected a JSON object such as {"kind":"text","content":"hi"}, got ${Array.isArray(body) ? 'an array' : typeof body}`);
  const b = body as Json;
  switch (b.kind) {
    case 'text': return { kind: 'text', content: field(b, 'content', true) };
    case 'image': return { kind: 'image', picUrl: field(b, 'picUrl'), mediaId: field(b, 'mediaId') };
    case 'voice': return { kind: 'voice', recognition: field(b, 'recognition'), mediaId: field(b, 'mediaId') };
    case 'location': return { kind: 'location', latitude: coordinate(b, 'latitude'), longitude: coordinate(b, 'longitude'), label: field(b, 'label') };
    case 'link': return { kind: 'link', url: field(b, 'url', true), title: field(b, 'title'), description: field(b, 'description') };
    case 'subscribe': return { kind: 'subscribe', scene: field(b, 'scene') };
    case 'unsubscribe': return { kind: 'unsubscribe' };
    case 'scan': return { kind: 'scan', scene: field(b, 'scene', true) };
    case 'click': return { kind: 'click', key: field(b, 'key', true) };
    case 'view': return { kind: 'view', url: field(b, 'url', true) };
    case 'scancode': return { kind: 'scancode', event: oneOf(b, 'event', ['scancode_push', 'scancode_waitmsg'] as const), key: field(b, 'key', true), scanResult: field(b, 'scanResult', true), scanType: field(b, 'scanType') };
    case 'pic': return { kind: 'pic', event: oneOf(b, 'event', ['pic_sysphoto', 'pic_photo_or_album', 'pic_weixin'] as const), key: field(b, 'key', true), count: b.count === undefined ? undefined : Math.max(1, Math.min(9, Math.floor(Number(b.count)) || 1)) };
    case 'location_select': return { kind: 'location_select', key: field(b, 'key', true), latitude: coordinate(b, 'latitude'), longitude: coordinate(b, 'longitude'), label: field(b, 'label') };
    case 'view_miniprogram': return { kind: 'view_miniprogram', key: field(b, 'key', true), menuId: field(b, 'menuId') };
    default:
      throw new ConfigError(`kind: expected text, image, voice, location, link, subscribe, unsubscribe, scan, click, view, scancode, pic, location_select or view_miniprogram, got ${JSON.stringify(b.kind ?? null)}`);
  }
}
