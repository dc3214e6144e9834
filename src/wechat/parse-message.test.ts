import { describe, expect, it } from 'vitest';
import { bodies } from '../../test/fixtures/messages.js';
import { parseMessage } from './parse-message.js';
import { parseXml } from './xml.js';

const parse = (xml: string) => parseMessage(parseXml(xml));

describe('parseMessage', () => {
  it('reads the envelope', () => {
    const m = parse(bodies.text);
    expect(m).toMatchObject({ toUserName: 'gh_account', fromUserName: 'oUser123', createTime: 1700000000 });
    expect(m.raw.MsgType).toBe('text');
  });

  it.each([
    ['text', bodies.text, { type: 'text', content: 'this is a test', msgId: '1234567890123456' }],
    ['image', bodies.image, { type: 'image', picUrl: 'http://p.example/1.jpg', mediaId: 'media_id' }],
    ['voice with recognition', bodies.voice, { type: 'voice', format: 'amr', recognition: '腾讯微信团队' }],
    ['video', bodies.video, { type: 'video', mediaId: 'media_id', thumbMediaId: 'thumb' }],
    ['shortvideo', bodies.shortvideo, { type: 'shortvideo', thumbMediaId: 'thumb' }],
    ['location', bodies.location, { type: 'location', latitude: 23.134521, longitude: 113.358803, scale: 20, label: '位置信息' }],
    ['link', bodies.link, { type: 'link', url: 'https://mp.weixin.qq.com', title: '公众平台官网链接' }],
    ['miniprogrampage', bodies.miniprogrampage, { type: 'miniprogrampage', appId: 'wxmini', pagePath: 'pages/index' }],
    ['subscribe', bodies.subscribe, { type: 'event', event: 'subscribe', scene: undefined }],
    ['subscribe with scene', bodies.subscribeScene, { event: 'subscribe', eventKey: 'qrscene_123123', scene: '123123', ticket: 'TICKET' }],
    ['unsubscribe', bodies.unsubscribe, { event: 'unsubscribe' }],
    ['SCAN', bodies.scan, { event: 'SCAN', scene: 'SCENE_VALUE', ticket: 'TICKET' }],
    ['LOCATION', bodies.locationEvent, { event: 'LOCATION', latitude: 23.137466, precision: 119.38504 }],
    ['CLICK', bodies.click, { event: 'CLICK', eventKey: 'TODAY' }],
    ['VIEW', bodies.view, { event: 'VIEW', eventKey: 'http://www.qq.com/', menuId: '1' }],
    ['scancode_push', bodies.scancodePush, { event: 'scancode_push', scanType: 'qrcode', scanResult: '1' }],
    ['scancode_waitmsg', bodies.scancodeWaitmsg, { event: 'scancode_waitmsg', scanResult: '2' }],
    ['pic_sysphoto', bodies.picSysphoto, { event: 'pic_sysphoto', count: 1, picMd5Sums: ['1b5f7c23b5bf75682a53e7b6d163e185'] }],
    ['pic_photo_or_album', bodies.picPhotoOrAlbum, { event: 'pic_photo_or_album', count: 2, picMd5Sums: ['a', 'b'] }],
    ['pic_weixin', bodies.picWeixin, { event: 'pic_weixin', picMd5Sums: ['c'] }],
    ['location_select', bodies.locationSelect, { event: 'location_select', latitude: 23, longitude: 113, scale: 15, label: ' 广州市海珠区客村艺苑路 106号', poiName: undefined }],
    ['view_miniprogram', bodies.viewMiniprogram, { event: 'view_miniprogram', eventKey: 'pages/index/index', menuId: 'MENUID' }],
    ['TEMPLATESENDJOBFINISH', bodies.templateJobFinish, { event: 'TEMPLATESENDJOBFINISH', msgId: '200163836', status: 'success' }],
    ['MASSSENDJOBFINISH', bodies.massJobFinish, { event: 'MASSSENDJOBFINISH', totalCount: 100, sentCount: 75, errorCount: 5 }],
  ])('types %s', (_, xml, expected) => {
    expect(parse(xml)).toMatchObject(expected);
  });

  it('delivers an unknown MsgType or Event as `unknown` with its raw fields', () => {
    expect(parse(bodies.unknownType)).toMatchObject({ type: 'unknown', msgType: 'hologram', msgId: '99', raw: { Depth: '3' } });
    expect(parse(bodies.unknownEvent)).toMatchObject({ type: 'unknown', msgType: 'event', event: 'user_teleported', raw: { Where: 'moon' } });
  });

  it('refuses XML that is not a WeChat message, naming the missing fields', () => {
    expect(() => parse('<xml><Foo>1</Foo></xml>')).toThrow(/missing ToUserName, FromUserName, MsgType/);
    expect(() => parse('<xml><Foo>1</Foo></xml>')).toThrow(expect.objectContaining({ status: 400 }));
  });

  it('names a repeated envelope field as repeated, not as missing', () => {
    const twice = '<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><MsgType>text</MsgType><MsgType>text</MsgType></xml>';
    expect(() => parse(twice)).toThrow(expect.objectContaining({ code: 'MESSAGE_INVALID', status: 400, message: 'message has <MsgType> more than once: not a WeChat message' }));
  });
});

describe('parseMessage: spellings and events WeChat sends', () => {
  const envelope = (inner: string) => parseXml(`<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName><CreateTime>1700000000</CreateTime>${inner}</xml>`);

  it('reads MsgID as well as MsgId (WxJava samples, template and subscribe events)', () => {
    expect(parseMessage(envelope('<MsgType><![CDATA[text]]></MsgType><Content>x</Content><MsgID>6054768590064713728</MsgID>'))).toMatchObject({ type: 'text', msgId: '6054768590064713728' });
    expect(parseMessage(envelope('<MsgType><![CDATA[hologram]]></MsgType><MsgID>9</MsgID>'))).toMatchObject({ type: 'unknown', msgId: '9' });
  });

  it('types a 订阅通知 popup with every template it offered, and the kf session events', () => {
    const popup = envelope('<MsgType>event</MsgType><Event>subscribe_msg_popup_event</Event><SubscribeMsgPopupEvent><List><TemplateId>t1</TemplateId><SubscribeStatusString>accept</SubscribeStatusString><PopupScene>2</PopupScene></List><List><TemplateId>t2</TemplateId><SubscribeStatusString>reject</SubscribeStatusString><PopupScene>2</PopupScene></List></SubscribeMsgPopupEvent>');
    expect(parseMessage(popup)).toMatchObject({ event: 'subscribe_msg_popup_event', list: [{ templateId: 't1', subscribeStatus: 'accept', popupScene: '2' }, { templateId: 't2', subscribeStatus: 'reject', popupScene: '2' }] });
    const one = envelope('<MsgType>event</MsgType><Event>subscribe_msg_sent_event</Event><SubscribeMsgSentEvent><List><TemplateId>t1</TemplateId><MsgID>17</MsgID><ErrorCode>43101</ErrorCode><ErrorStatus>user refuse to accept the msg</ErrorStatus></List></SubscribeMsgSentEvent>');
    expect(parseMessage(one)).toMatchObject({ event: 'subscribe_msg_sent_event', list: [{ templateId: 't1', msgId: '17', errorCode: 43101, errorStatus: 'user refuse to accept the msg' }] });
    expect(parseMessage(envelope('<MsgType>event</MsgType><Event>kf_switch_session</Event><FromKfAccount>a@x</FromKfAccount><ToKfAccount>b@x</ToKfAccount>'))).toMatchObject({ event: 'kf_switch_session', fromKfAccount: 'a@x', toKfAccount: 'b@x' });
  });
});
