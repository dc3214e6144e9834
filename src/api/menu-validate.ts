/**
 * Checks a custom menu against WeChat's rules before it is sent, so a mistake
 * gets a message naming the button instead of errcode 40016 ("invalid button
 * size") or 40027 ("invalid sub button url size").
 */
import { WxmpError } from '../errors.js';

/** Button types and the fields each one requires. */
const REQUIRED: Record<string, string[]> = {
  click: ['key'],
  view: ['url'],
  miniprogram: ['url', 'appid', 'pagepath'],
  scancode_push: ['key'],
  scancode_waitmsg: ['key'],
  pic_sysphoto: ['key'],
  pic_photo_or_album: ['key'],
  pic_weixin: ['key'],
  location_select: ['key'],
  media_id: ['media_id'],
  view_limited: ['media_id'],
  article_id: ['article_id'],
  article_view_limited: ['article_id'],
};

/** Byte limits WeChat applies (UTF-8: a Chinese character is 3 bytes). */
const LIMITS = { topName: 16, subName: 60, key: 128, url: 1024 } as const;

/** One button of a custom menu, as WeChat's menu/create expects it. */
export interface MenuButton {
  type?: string;
  name: string;
  key?: string;
  url?: string;
  appid?: string;
  pagepath?: string;
  media_id?: string;
  article_id?: string;
  sub_button?: MenuButton[];
}

/** A custom menu: 1–3 buttons, each with up to 5 sub-buttons. */
export interface Menu {
  button: MenuButton[];
}

/**
 * The menu breaks WeChat's rules; `problems` lists each one with its place, e.g. `button[1].sub_button[0].url`.
 *
 * @example
 * catch (e) { if (e instanceof MenuValidationError) e.problems.forEach((p) => console.error(p)) }
 */
export class MenuValidationError extends WxmpError {
  readonly problems: string[];

  constructor(problems: string[]) {
    super('MENU_INVALID', `the menu is invalid:\n  - ${problems.join('\n  - ')}`);
    this.name = 'MenuValidationError';
    this.problems = problems;
  }
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const got = (v: unknown) => (Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v === 'string' ? JSON.stringify(v) : typeof v);

function withoutEmptySubs(b: Record<string, unknown>): Record<string, unknown> {
  const { sub_button: _empty, ...rest } = b;
  return rest;
}

function checkButton(button: unknown, at: string, top: boolean, problems: string[]): void {
  if (!isObject(button)) {
    problems.push(`${at}: expected an object, got ${got(button)}`);
    return;
  }
  let b = button;
  // menu/get returns `sub_button: []` on every leaf; a menu saved from `wxmp menu show` must push back unchanged.
  if (Array.isArray(b.sub_button) && b.sub_button.length === 0) b = withoutEmptySubs(b);
  const limit = top ? LIMITS.topName : LIMITS.subName;
  if (typeof b.name !== 'string' || b.name.trim() === '') problems.push(`${at}.name: expected a non-empty string, got ${got(b.name)}`);
  else if (bytes(b.name) > limit) problems.push(`${at}.name: expected at most ${limit} bytes of UTF-8 (a Chinese character takes 3), got ${bytes(b.name)}`);
  if (top && b.sub_button !== undefined) {
    if (!Array.isArray(b.sub_button)) problems.push(`${at}.sub_button: expected an array, got ${got(b.sub_button)}`);
    else if (b.sub_button.length < 1 || b.sub_button.length > 5) problems.push(`${at}.sub_button: expected 1 to 5 sub-buttons, got ${b.sub_button.length}`);
    else b.sub_button.forEach((s, i) => checkButton(s, `${at}.sub_button[${i}]`, false, problems));
    return;
  }
  if (!top && b.sub_button !== undefined) problems.push(`${at}.sub_button: sub-buttons cannot have sub-buttons`);
  if (typeof b.type !== 'string' || !(b.type in REQUIRED)) {
    problems.push(`${at}.type: expected one of ${Object.keys(REQUIRED).join(', ')} (or a sub_button list), got ${got(b.type)}`);
    return;
  }
  for (const field of REQUIRED[b.type] ?? []) {
    const value = b[field];
    if (typeof value !== 'string' || value === '') problems.push(`${at}.${field}: required for type "${b.type}", got ${got(value)}`);
  }
  if (typeof b.key === 'string' && bytes(b.key) > LIMITS.key) problems.push(`${at}.key: expected at most ${LIMITS.key} bytes, got ${bytes(b.key)}`);
  if (typeof b.url === 'string') {
    if (bytes(b.url) > LIMITS.url) problems.push(`${at}.url: expected at most ${LIMITS.url} bytes, got ${bytes(b.url)}`);
    if (!/^https?:\/\//.test(b.url)) problems.push(`${at}.url: expected an http(s) URL, got ${got(b.url)}`);
  }
}

/**
 * Lists what is wrong with `menu` (empty when it is valid).
 *
 * @example
 * menuProblems({ button: [] }) // ['button: expected 1 to 3 buttons, got 0']
 */
export function menuProblems(menu: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(menu)) return [`menu: expected an object with a "button" array, got ${got(menu)}`];
  if (!Array.isArray(menu.button)) return [`button: expected an array of 1 to 3 buttons, got ${got(menu.button)}`];
  if (menu.button.length < 1 || menu.button.length > 3) problems.push(`button: expected 1 to 3 buttons, got ${menu.button.length}`);
  menu.button.forEach((b, i) => checkButton(b, `button[${i}]`, true, problems));
  return problems;
}

/**
 * `menu` without the empty `sub_button` arrays WeChat adds to leaf buttons in
 * menu/get, i.e. in the shape menu/create documents.
 *
 * @example
 * normalizeMenu({ button: [{ type: 'click', name: 'a', key: 'k', sub_button: [] }] })
 * // { button: [{ type: 'click', name: 'a', key: 'k' }] }
 */
export function normalizeMenu(menu: Menu): Menu {
  const strip = (b: MenuButton): MenuButton => {
    if (!b.sub_button) return b;
    if (b.sub_button.length === 0) return withoutEmptySubs(b as unknown as Record<string, unknown>) as unknown as MenuButton;
    return { ...b, sub_button: b.sub_button.map(strip) };
  };
  return { button: menu.button.map(strip) };
}

/**
 * Returns `menu` typed (and normalized) when it is valid; throws {@link MenuValidationError} listing every problem.
 *
 * @example
 * const menu = validateMenu(JSON.parse(text));
 */
export function validateMenu(menu: unknown): Menu {
  const problems = menuProblems(menu);
  if (problems.length) throw new MenuValidationError(problems);
  return normalizeMenu(menu as Menu);
}
