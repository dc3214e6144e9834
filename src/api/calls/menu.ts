/** Custom menus (自定义菜单): the default menu, conditional menus and what is live. */
import { ConfigError } from '../../errors.js';
import { normalizeMenu, validateMenu, type Menu, type MenuButton } from '../menu-validate.js';
import { as, get, nothing, post } from './define.js';
import { text } from './limits.js';

/** Who sees a conditional menu; at least one field. */
export interface MenuMatchRule {
  tag_id?: string;
  sex?: string;
  country?: string;
  province?: string;
  city?: string;
  client_platform_type?: string;
  language?: string;
}

/** menu/get's answer: the default menu and any conditional menus. */
export interface MenuSet {
  menu: Menu;
  conditionalmenu?: Array<Menu & { matchrule: MenuMatchRule; menuid: number }>;
}

/** The menu as the account shows it, whether set by API or in the admin console. */
export interface SelfMenuInfo {
  is_menu_open: 0 | 1;
  selfmenu_info?: { button: Array<Record<string, unknown>> };
}

function matchRule(rule: MenuMatchRule): MenuMatchRule {
  if (typeof rule !== 'object' || rule === null || Object.values(rule).every((v) => v === undefined || v === '')) {
    throw new ConfigError('matchrule: expected at least one of tag_id, sex, country, province, city, client_platform_type, language');
  }
  return rule;
}

export const menuCalls = {
  /** Validates and publishes `menu`, replacing the current one. Repeating it changes nothing, so it is safe. */
  create: post('/cgi-bin/menu/create', ['Creating custom menus', '创建接口'], { safe: true, request: (menu: Menu) => ({ json: validateMenu(menu) }), result: nothing }),
  /** The published default menu, or `null` when there is none (errcode 46003). */
  get: get('/cgi-bin/menu/get', ['Querying custom menus', '查询接口'], {
    nullOn: 46003,
    result: (j): Menu | null => {
      const menu = j.menu as Menu | undefined;
      return menu && Array.isArray(menu.button) ? normalizeMenu(menu) : null;
    },
  }),
  /** The default menu with the conditional ones, as WeChat returns them. */
  getAll: get('/cgi-bin/menu/get', ['Querying custom menus', '查询接口'], { nullOn: 46003, result: as<MenuSet | null>() }),
  /** Removes the default menu and every conditional menu. */
  delete: get('/cgi-bin/menu/delete', ['Deleting custom menus', '删除接口'], { result: nothing }),
  /** Adds a menu shown only to users matching `matchrule`; resolves to its menuid. */
  addConditional: post('/cgi-bin/menu/addconditional', ['Personalized menus: create', '个性化菜单接口 创建个性化菜单'], {
    request: (menu: { button: MenuButton[]; matchrule: MenuMatchRule }) => ({ json: { ...validateMenu({ button: menu.button }), matchrule: matchRule(menu.matchrule) } }),
    result: (j) => String(j.menuid),
  }),
  /** Deletes one conditional menu. */
  deleteConditional: post('/cgi-bin/menu/delconditional', ['Personalized menus: delete', '个性化菜单接口 删除个性化菜单'], {
    safe: true,
    request: (menuid: string | number) => ({ json: { menuid: text('menuid', String(menuid)) } }),
    result: nothing,
  }),
  /** The menu a given user (openid or WeChat ID) would see. */
  tryMatch: post('/cgi-bin/menu/trymatch', ['Personalized menus: test matching', '个性化菜单接口 测试个性化菜单匹配结果'], {
    safe: true,
    request: (userId: string) => ({ json: { user_id: text('user_id', userId) } }),
    result: as<{ button: MenuButton[] }>(),
  }),
  /** The live menu, including one configured in the admin console. */
  selfMenuInfo: get('/cgi-bin/get_current_selfmenu_info', ['Querying the menu configuration', '获取自定义菜单配置'], { result: as<SelfMenuInfo>() }),
};
