/** Intelligent interfaces (智能接口): OCR, image processing and voice recognition on WeChat's side. */
import { ConfigError } from '../../errors.js';
import type { WechatJson } from '../http.js';
import type { MediaFile } from './media.js';
import { as, post, type CallEntry, type DocPage, type Req } from './define.js';
import { int, oneOf, text, url } from './limits.js';

/** An image to analyse: a public URL, or a file (up to 2 MB) sent as multipart. */
export type ImageInput = string | MediaFile;

function image(input: ImageInput, query: Record<string, string | undefined> = {}): Req {
  if (typeof input === 'string') return { query: { ...query, img_url: url('img_url', input) } };
  if (!input || !input.data) throw new ConfigError('image: expected a URL or { data, filename }');
  const blob = input.data instanceof Blob ? input.data : new Blob([input.data], { type: input.contentType ?? 'image/jpeg' });
  if (blob.size > 2 << 20) throw new ConfigError(`image: expected at most 2 MB, got ${blob.size} bytes`);
  const form = new FormData();
  form.append('img', blob, input.filename);
  return { query, form };
}

/**
 * OCR and image processing are billed (100 free calls a day, then paid packs), so they are
 * never repeated blindly: a retry after a timeout would pay for the same picture twice.
 */
const vision = <R = Record<string, unknown>>(path: string, doc: DocPage, example: WechatJson): CallEntry<[img: ImageInput], R> =>
  post(path, doc, { request: (img: ImageInput) => image(img), result: as<R>(), example });

export const ocrCalls = {
  /** ID card, front (`photo`) or back (`scan`) side. */
  idCard: post('/cv/ocr/idcard', ['OCR: ID card', 'OCR 身份证识别'], {
    request: (img: ImageInput, type: 'photo' | 'scan' = 'photo') => image(img, { type: oneOf('type', type, ['photo', 'scan']) }),
    result: as<{ type: 'Front' | 'Back'; name?: string; id?: string; addr?: string; gender?: string; nationality?: string; valid_date?: string }>(),
    example: { type: 'Front', name: '张三', id: '110101199001011234', addr: '北京市东城区', gender: '男', nationality: '汉' },
  }),
  bankCard: vision<{ number: string }>('/cv/ocr/bankcard', ['OCR: bank card', 'OCR 银行卡识别'], { number: '6222000000000000000' }),
  vehicleLicense: vision('/cv/ocr/driving', ['OCR: vehicle license', 'OCR 行驶证识别'], { plate_num: '粤A12345', vehicle_type: '小型普通客车', owner: '张三' }),
  drivingLicense: vision('/cv/ocr/drivinglicense', ['OCR: driving license', 'OCR 驾驶证识别'], { id_num: '110101199001011234', name: '张三', car_class: 'C1' }),
  businessLicense: vision('/cv/ocr/bizlicense', ['OCR: business license', 'OCR 营业执照识别'], { reg_num: '91440300000000000X', enterprise_name: '示例有限公司' }),
  /** Printed text anywhere in the picture. */
  printedText: vision<{ items: Array<{ text: string; pos: unknown }> }>('/cv/ocr/comm', ['OCR: printed text', 'OCR 通用印刷体识别'], { items: [{ text: '示例文字', pos: { left_top: { x: 0, y: 0 } } }] }),
  plateNumber: vision<{ number: string }>('/cv/ocr/platenum', ['OCR: plate number', 'OCR 车牌识别'], { number: '粤A12345' }),
};

export const imageCalls = {
  /** Reads QR codes and barcodes in a picture. */
  scanCode: vision<{ code_results: Array<{ type_name: string; data: string; pos: unknown }> }>('/cv/img/qrcode', ['Image: QR code and barcode recognition', '图像处理 二维码/条码识别'], {
    code_results: [{ type_name: 'QR_CODE', data: 'http://weixin.qq.com/q/mock', pos: {} }],
    img_size: { w: 100, h: 100 },
  }),
  superResolution: vision<{ media_id: string }>('/cv/img/superresolution', ['Image: super resolution', '图像处理 图片高清化'], { media_id: 'SR_MEDIA_ID' }),
  /** Crops to the given ratios, e.g. `'1,2.35'`. */
  aiCrop: post('/cv/img/aicrop', ['Image: smart crop', '图像处理 图片智能裁剪'], {
    request: (img: ImageInput, ratios?: string) => image(img, { ratios }),
    result: as<{ results: Array<{ crop_left: number; crop_top: number; crop_right: number; crop_bottom: number }>; img_size: { w: number; h: number } }>(),
    example: { results: [{ crop_left: 0, crop_top: 0, crop_right: 100, crop_bottom: 100 }], img_size: { w: 100, h: 100 } },
  }),
};

export const voiceCalls = {
  /** Uploads a voice file (mp3, 16k mono, up to 60 s) for recognition under your own `voiceId`. */
  recognize: post('/cgi-bin/media/voice/addvoicetorecofortext', ['Voice: submit for recognition', '语音识别 提交语音'], {
    safe: true,
    request: (voiceId: string, file: MediaFile, lang: 'zh_CN' | 'en_US' = 'zh_CN') => {
      const blob = file?.data instanceof Blob ? file.data : new Blob([file?.data ?? new Uint8Array()], { type: file?.contentType ?? 'audio/mpeg' });
      if (blob.size === 0 || blob.size > 2 << 20) throw new ConfigError(`voice file: expected 1 byte to 2 MB, got ${blob.size}`);
      const form = new FormData();
      form.append('media', blob, file.filename ?? 'voice.mp3');
      return { query: { format: 'mp3', voice_id: text('voice_id', voiceId), lang }, form };
    },
    result: () => undefined,
  }),
  /** The recognized text of a submitted voice (ask within 30 s of submitting). */
  result: post('/cgi-bin/media/voice/queryrecoresultfortext', ['Voice: get the recognition result', '语音识别 获取语音识别结果'], {
    safe: true,
    request: (voiceId: string, lang: 'zh_CN' | 'en_US' = 'zh_CN') => ({ query: { voice_id: text('voice_id', voiceId), lang } }),
    result: (j) => String(j.result ?? ''),
  }),
  /** Translates text between Chinese and English (up to 600 bytes). */
  translate: post('/cgi-bin/media/voice/translatecontent', ['Voice: translate text', '微信翻译'], {
    safe: true,
    request: (content: string, from: 'zh_CN' | 'en_US' = 'zh_CN', to: 'zh_CN' | 'en_US' = 'en_US') => {
      if (typeof content !== 'string' || !content || Buffer.byteLength(content) > 600) throw new ConfigError('translate content: expected 1 to 600 bytes of text');
      return { query: { lfrom: from, lto: to }, form: (() => { const f = new FormData(); f.append('content', content); return f; })() };
    },
    result: (j) => ({ from_content: String(j.from_content), to_content: String(j.to_content) }),
  }),
};

export const miniProgramCalls = {
  /** Mini programs linked to the account. */
  linked: post('/cgi-bin/wxopen/wxamplinkget', ['Mini program: list linked mini programs', '获取公众号关联的小程序'], { safe: true, result: as<{ wxopens: { items: Array<{ status: number; username: string; nickname: string; appid: string; source: string }> } }>() }),
  /** Asks a mini program's admin to link it (`notifyUsers`: tell followers; `showProfile`: show on the account's profile). */
  link: post('/cgi-bin/wxopen/wxamplink', ['Mini program: link', '关联小程序'], {
    request: (appid: string, notifyUsers = false, showProfile = false) => ({ json: { appid: text('appid', appid), notify_users: notifyUsers ? '1' : '0', show_profile: showProfile ? '1' : '0' } }),
    result: () => undefined,
  }),
  unlink: post('/cgi-bin/wxopen/wxampunlink', ['Mini program: unlink', '解除已关联的小程序'], { safe: true, request: (appid: string) => ({ json: { appid: text('appid', appid) } }), result: () => undefined }),
};

/** A rule that opens a mini program page when a URL-prefix QR code is scanned (扫普通链接二维码打开小程序). */
export interface QrcodeJumpRule {
  prefix: string;
  appid: string;
  path: string;
  open_version?: '1' | '2' | '3';
  debug_url?: string[];
  state?: 1 | 2;
  [field: string]: unknown;
}

export const qrcodeJumpCalls = {
  /** The rules, optionally for one mini program (`appid`). */
  list: post('/cgi-bin/wxopen/qrcodejumpget', ['QR code jump rules: list', '扫普通链接二维码打开小程序 获取已设置的二维码规则'], {
    safe: true,
    request: (appid?: string, page = 1, numPerPage = 20) => ({ json: { appid, get_type: appid ? 2 : 1, page_num: int('page_num', page, 1), page_size: int('page_size', numPerPage, 1, 200) } }),
    result: as<{ rule_list: QrcodeJumpRule[]; total_count: number; qrcodejump_open: number; list_size: number }>(),
  }),
  /** Adds or replaces the rule for `prefix`. Not retried: a repeat of an add (`is_edit: 0`) that went through fails on the existing prefix. */
  add: post('/cgi-bin/wxopen/qrcodejumpadd', ['QR code jump rules: add', '扫普通链接二维码打开小程序 增加或修改二维码规则'], {
    request: (rule: QrcodeJumpRule & { is_edit?: 0 | 1 }) => ({ json: { ...rule, prefix: url('prefix', rule?.prefix), appid: text('appid', rule.appid), path: text('path', rule.path), is_edit: rule.is_edit ?? 0 } }),
    result: () => undefined,
  }),
  /** Not retried: publishing is limited to 100 a month (886000). */
  publish: post('/cgi-bin/wxopen/qrcodejumppublish', ['QR code jump rules: publish', '扫普通链接二维码打开小程序 发布已设置的二维码规则'], { request: (prefix: string) => ({ json: { prefix: url('prefix', prefix) } }), result: () => undefined }),
  delete: post('/cgi-bin/wxopen/qrcodejumpdelete', ['QR code jump rules: delete', '扫普通链接二维码打开小程序 删除已设置的二维码规则'], {
    safe: true,
    request: (prefix: string, appid: string) => ({ json: { prefix: url('prefix', prefix), appid: text('appid', appid) } }),
    result: () => undefined,
  }),
  /** The verification file WeChat wants served under the prefix's domain. */
  download: post('/cgi-bin/wxopen/qrcodejumpdownload', ['QR code jump rules: download the check file', '扫普通链接二维码打开小程序 获取校验文件名称及内容'], {
    safe: true,
    result: (j) => ({ file_name: String(j.file_name), file_content: String(j.file_content) }),
    example: { errcode: 0, errmsg: 'ok', file_name: 'MOCKcheck.txt', file_content: 'mock-check-content' },
  }),
};
