/**
 * Typed WeChat messages and events, one type per MsgType and Event, the way
 * wechatpy's messages.py/events.py model them. Field names are WeChat's, in
 * camelCase; every message also keeps its `raw` fields.
 */
import type { XmlObject } from './xml.js';

interface Base {
  /** The Official Account's original ID (gh_...). */
  toUserName: string;
  /** The user's OpenID. */
  fromUserName: string;
  /** Seconds since the epoch, as WeChat sends it. */
  createTime: number;
  /** Every field as received, nested blocks included. */
  raw: XmlObject;
}

interface WithId extends Base {
  /** 64-bit id, kept as a string (it does not fit a JS number). */
  msgId: string;
}

export interface TextMessage extends WithId { type: 'text'; content: string }
export interface ImageMessage extends WithId { type: 'image'; picUrl: string; mediaId: string }
export interface VoiceMessage extends WithId {
  type: 'voice';
  mediaId: string;
  format: string;
  /** Speech recognition result, when it is switched on for the account. */
  recognition?: string;
}
export interface VideoMessage extends WithId { type: 'video' | 'shortvideo'; mediaId: string; thumbMediaId: string }
export interface LocationMessage extends WithId { type: 'location'; latitude: number; longitude: number; scale: number; label: string }
export interface LinkMessage extends WithId { type: 'link'; title: string; description: string; url: string }
export interface MiniProgramPageMessage extends WithId {
  type: 'miniprogrampage';
  title: string;
  appId: string;
  pagePath: string;
  thumbUrl: string;
  thumbMediaId: string;
}

interface EventBase extends Base { type: 'event' }

/** Follow; `scene` is set when the user followed through a QR code with a scene (`qrscene_` prefix removed). */
export interface SubscribeEvent extends EventBase { event: 'subscribe'; eventKey?: string; scene?: string; ticket?: string }
export interface UnsubscribeEvent extends EventBase { event: 'unsubscribe' }
/** A follower scanned a QR code with a scene. */
export interface ScanEvent extends EventBase { event: 'SCAN'; eventKey: string; scene: string; ticket?: string }
export interface LocationEvent extends EventBase { event: 'LOCATION'; latitude: number; longitude: number; precision: number }
export interface ClickEvent extends EventBase { event: 'CLICK'; eventKey: string }
export interface ViewEvent extends EventBase { event: 'VIEW'; eventKey: string; menuId?: string }
export interface ScanCodeEvent extends EventBase {
  event: 'scancode_push' | 'scancode_waitmsg';
  eventKey: string;
  scanType: string;
  scanResult: string;
}
export interface PicEvent extends EventBase {
  event: 'pic_sysphoto' | 'pic_photo_or_album' | 'pic_weixin';
  eventKey: string;
  count: number;
  picMd5Sums: string[];
}
export interface LocationSelectEvent extends EventBase {
  event: 'location_select';
  eventKey: string;
  latitude: number;
  longitude: number;
  scale: number;
  label: string;
  poiName?: string;
}
export interface ViewMiniProgramEvent extends EventBase { event: 'view_miniprogram'; eventKey: string; menuId?: string }
export interface TemplateSendJobFinishEvent extends EventBase { event: 'TEMPLATESENDJOBFINISH'; msgId: string; status: string }
export interface MassSendJobFinishEvent extends EventBase {
  event: 'MASSSENDJOBFINISH';
  msgId: string;
  status: string;
  totalCount: number;
  filterCount: number;
  sentCount: number;
  errorCount: number;
}

/**
 * A publish job (freepublish/submit) finished. `publishStatus` 0 is success; 1 publishing,
 * 2 original-content check failed, 3 failed, 4 rejected by review, 5 deleted after success, 6 banned.
 */
export interface PublishJobFinishEvent extends EventBase {
  event: 'PUBLISHJOBFINISH';
  publishId: string;
  publishStatus: number;
  articleId?: string;
  /** The published articles' URLs, by 1-based index. */
  articles: Array<{ idx: number; url: string }>;
  /** 1-based indexes of the articles that failed (status 2 or 4). */
  failIdx: number[];
}

/** One template in a 订阅通知 popup: what the user chose for it. */
export interface SubscribeMsgChoice {
  templateId: string;
  /** `accept` or `reject`. */
  subscribeStatus: string;
  /** 1: the popup came from an H5 page, 2: from an article (订阅通知 docs). */
  popupScene: string;
}
/** The user answered a 订阅通知 popup; one entry per template it offered. */
export interface SubscribeMsgPopupEvent extends EventBase { event: 'subscribe_msg_popup_event'; list: SubscribeMsgChoice[] }
/** The user changed a 订阅通知 subscription in its management page (WeChat only reports rejections). */
export interface SubscribeMsgChangeEvent extends EventBase { event: 'subscribe_msg_change_event'; list: Array<{ templateId: string; subscribeStatus: string }> }
/** The outcome of a 订阅通知 sent through the API; `errorCode` 0 is success. */
export interface SubscribeMsgSentEvent extends EventBase {
  event: 'subscribe_msg_sent_event';
  list: Array<{ templateId: string; msgId: string; errorCode: number; errorStatus: string }>;
}
/** A customer-service agent took (create) or ended (close) a session with the user. */
export interface KfSessionEvent extends EventBase { event: 'kf_create_session' | 'kf_close_session'; kfAccount: string }
/** The user's session moved from one customer-service agent to another. */
export interface KfSwitchSessionEvent extends EventBase { event: 'kf_switch_session'; fromKfAccount: string; toKfAccount: string }

/** A MsgType or Event this version does not model: delivered with its raw fields, never an error. */
export interface UnknownMessage extends Base { type: 'unknown'; msgType: string; event?: string; msgId?: string }

export type WechatEvent =
  | SubscribeEvent | UnsubscribeEvent | ScanEvent | LocationEvent | ClickEvent | ViewEvent
  | ScanCodeEvent | PicEvent | LocationSelectEvent | ViewMiniProgramEvent
  | TemplateSendJobFinishEvent | MassSendJobFinishEvent | PublishJobFinishEvent
  | SubscribeMsgPopupEvent | SubscribeMsgChangeEvent | SubscribeMsgSentEvent
  | KfSessionEvent | KfSwitchSessionEvent;

export type WechatMessage =
  | TextMessage | ImageMessage | VoiceMessage | VideoMessage | LocationMessage | LinkMessage
  | MiniProgramPageMessage | WechatEvent | UnknownMessage;

/** The MsgType values with a type of their own. */
export type MessageType = Exclude<WechatMessage['type'], 'event' | 'unknown'>;
/** The Event values with a type of their own. */
export type EventType = WechatEvent['event'];
