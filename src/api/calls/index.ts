/**
 * Every typed WeChat call, by group, in the order the docs list them. The
 * client binds these, the docs table is rendered from them, and the mock API
 * answers each path.
 */
import { imageCalls, miniProgramCalls, ocrCalls, qrcodeJumpCalls, voiceCalls } from './ai.js';
import { commentCalls } from './comment.js';
import { customerServiceCalls } from './customer-service.js';
import { datacubeCalls } from './datacube.js';
import { isCall, walk, type CallEntry, type Group } from './define.js';
import { draftCalls, publishCalls } from './draft.js';
import { jssdkCalls } from './jssdk.js';
import { massCalls } from './mass.js';
import { materialCalls, mediaCalls } from './media.js';
import { menuCalls } from './menu.js';
import { oauthCalls } from './oauth.js';
import { opsCalls } from './ops.js';
import { qrcodeCalls, shortKeyCalls } from './qrcode.js';
import { subscribeCalls } from './subscribe.js';
import { templateCalls } from './template.js';
import { userCalls } from './user.js';

/** The groups as `client.<group>` exposes them, with their headings in the docs. */
export const API_GROUPS = {
  ops: opsCalls,
  oauth: oauthCalls,
  jssdk: jssdkCalls,
  menu: menuCalls,
  customerService: customerServiceCalls,
  template: templateCalls,
  subscribe: subscribeCalls,
  user: userCalls,
  media: mediaCalls,
  material: materialCalls,
  draft: draftCalls,
  publish: publishCalls,
  mass: massCalls,
  qrcode: qrcodeCalls,
  shortKey: shortKeyCalls,
  comment: commentCalls,
  datacube: datacubeCalls,
  ocr: ocrCalls,
  image: imageCalls,
  voice: voiceCalls,
  miniProgram: miniProgramCalls,
  qrcodeJump: qrcodeJumpCalls,
} as const;

/** Section titles of the docs table, English and Chinese. */
export const GROUP_TITLES: Record<keyof typeof API_GROUPS, readonly [string, string]> = {
  ops: ['Tokens and operations', '接口调用凭据与运维'],
  oauth: ['OAuth 2 web authorization', '网页授权'],
  jssdk: ['JS-SDK', 'JS-SDK'],
  menu: ['Custom menus', '自定义菜单'],
  customerService: ['Customer service', '客服消息与客服管理'],
  template: ['Template messages', '模板消息'],
  subscribe: ['Subscription messages', '订阅通知'],
  user: ['Users, tags and blacklist', '用户管理'],
  media: ['Temporary media', '临时素材'],
  material: ['Permanent material', '永久素材'],
  draft: ['Drafts', '草稿箱'],
  publish: ['Publishing', '发布能力'],
  mass: ['Mass messages', '群发消息'],
  qrcode: ['QR codes', '带参数二维码'],
  shortKey: ['Short keys', '短key托管'],
  comment: ['Comments', '图文消息留言管理'],
  datacube: ['Analytics', '数据统计'],
  ocr: ['OCR', 'OCR识别'],
  image: ['Image processing', '图像处理'],
  voice: ['Voice recognition and translation', '语音识别与翻译'],
  miniProgram: ['Linked mini programs', '关联小程序'],
  qrcodeJump: ['QR codes that open a mini program', '扫普通链接二维码打开小程序'],
};

/**
 * Every declared HTTP call with its dotted name (`user.tags.create`).
 *
 * @example
 * allCalls().length // the number of typed calls
 */
export function allCalls(): Array<[name: string, entry: CallEntry]> {
  const out: Array<[string, CallEntry]> = [];
  for (const [group, calls] of Object.entries(API_GROUPS)) {
    for (const [name, entry] of walk(calls as Group, group)) if (isCall(entry)) out.push([name, entry]);
  }
  return out;
}
