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

/**
 * @example
 * actionFromJson({ kind: 'click', key: 'TODAY' }) // { kind: 'click', key: 'TODAY' }
 */
export function actionFromJson(body: unknown): UserAction {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ConfigError(`expected a JSON object such as {"kind":"text","content":"hi"}, got ${Array.isArray(body) ? 'an array' : typeof body}`);
  const b = body as Json;
  switch (b.kind) {
    case 'text': return { kind: 'text', content: field(b, 'content', true) };
    case 'image': return { kind: 'image', picUrl: field(b, 'picUrl') };
    case 'voice': return { kind: 'voice', recognition: field(b, 'recognition') };
    case 'location': return { kind: 'location', latitude: coordinate(b, 'latitude'), longitude: coordinate(b, 'longitude'), label: field(b, 'label') };
    case 'link': return { kind: 'link', url: field(b, 'url', true), title: field(b, 'title'), description: field(b, 'description') };
    case 'subscribe': return { kind: 'subscribe', scene: field(b, 'scene') };
    case 'unsubscribe': return { kind: 'unsubscribe' };
    case 'scan': return { kind: 'scan', scene: field(b, 'scene', true) };
    case 'click': return { kind: 'click', key: field(b, 'key', true) };
    case 'view': return { kind: 'view', url: field(b, 'url', true) };
    default:
      throw new ConfigError(`kind: expected text, image, voice, location, link, subscribe, unsubscribe, scan, click or view, got ${JSON.stringify(b.kind ?? null)}`);
  }
}
