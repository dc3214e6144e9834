/** Custom menu: publish, read, delete. */
import type { ApiContext } from './context.js';
import { WechatApiError } from './errors.js';
import { normalizeMenu, validateMenu, type Menu } from './menu-validate.js';

/** @see menuApi */
export interface MenuApi {
  /** Validates and publishes `menu`, replacing the current one. */
  create(menu: Menu): Promise<void>;
  /** The published menu, or `null` when there is none (errcode 46003). */
  get(): Promise<Menu | null>;
  /** Removes the menu (and all conditional menus). */
  delete(): Promise<void>;
}

/**
 * @example
 * await client.menu.create({ button: [{ type: 'click', name: '今日', key: 'TODAY' }] });
 * const menu = await client.menu.get();
 */
export function menuApi(ctx: ApiContext): MenuApi {
  return {
    async create(menu) {
      const valid = validateMenu(menu);
      // Publishing the same menu twice has the same effect, so a timeout may be retried.
      await ctx.request({ method: 'POST', path: '/cgi-bin/menu/create', json: valid, idempotent: true });
    },
    async get() {
      try {
        const json = await ctx.request({ method: 'GET', path: '/cgi-bin/menu/get', idempotent: true });
        const menu = json.menu as Menu | undefined;
        return menu && Array.isArray(menu.button) ? normalizeMenu(menu) : null;
      } catch (error) {
        if (error instanceof WechatApiError && error.errcode === 46003) return null;
        throw error;
      }
    },
    async delete() {
      await ctx.request({ method: 'GET', path: '/cgi-bin/menu/delete', idempotent: true });
    },
  };
}
