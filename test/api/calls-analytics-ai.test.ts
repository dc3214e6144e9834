import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { DATACUBE_SPANS } from '../../src/api/calls/datacube.js';
import { failure, file, mockClient } from './support/mock-client.js';

describe('analytics (datacube)', () => {
  it('answers every report one row per day, and checks each report\'s maximum span before calling', async () => {
    const { client, mock } = mockClient({ users: { oUser0000000000000000000001: {} } });
    const reports = [
      [client.datacube.users.summary, 'getusersummary'], [client.datacube.users.cumulate, 'getusercumulate'],
      [client.datacube.articles.summary, 'getarticlesummary'], [client.datacube.articles.total, 'getarticletotal'], [client.datacube.articles.read, 'getuserread'],
      [client.datacube.articles.readHour, 'getuserreadhour'], [client.datacube.articles.share, 'getusershare'], [client.datacube.articles.shareHour, 'getusersharehour'],
      [client.datacube.messages.summary, 'getupstreammsg'], [client.datacube.messages.hour, 'getupstreammsghour'], [client.datacube.messages.week, 'getupstreammsgweek'],
      [client.datacube.messages.month, 'getupstreammsgmonth'], [client.datacube.messages.dist, 'getupstreammsgdist'], [client.datacube.messages.distWeek, 'getupstreammsgdistweek'],
      [client.datacube.messages.distMonth, 'getupstreammsgdistmonth'], [client.datacube.interface.summary, 'getinterfacesummary'], [client.datacube.interface.hour, 'getinterfacesummaryhour'],
    ] as const;
    expect(reports.map(([, n]) => n).sort()).toEqual(Object.keys(DATACUBE_SPANS).sort());
    for (const [call, name] of reports) {
      const span = DATACUBE_SPANS[name]!;
      const end = new Date(Date.parse('2024-04-01') + (span - 1) * 86_400_000);
      const rows = await call('2024-04-01', end);
      expect(rows, name).toHaveLength(span);
      expect(rows[0]?.ref_date, name).toBe('2024-04-01');
      await expect(call('2024-06-01', new Date(Date.parse('2024-06-01') + span * 86_400_000)), name).rejects.toThrow(`at most ${span} day`);
    }
    expect(mock.requestsTo('/datacube/getusersummary')[0]?.body).toEqual({ begin_date: '2024-04-01', end_date: '2024-04-07' });
    await expect(client.datacube.users.summary('2024-06-09', '2024-06-08')).rejects.toThrow(/on or before/);
    await expect(client.datacube.users.summary('2024/06/09', '2024-06-09')).rejects.toBeInstanceOf(ConfigError);
    // Today has no data yet: WeChat (and the mock) answer 61501.
    const today = await failure(client.datacube.users.summary('2024-06-15', '2024-06-15'));
    expect(today?.errcode).toBe(61501);
    expect(today?.hint).toMatch(/reaches today/);
  });

  it('publisher reports page through /publisher/stat', async () => {
    const { client, mock } = mockClient();
    expect(await client.datacube.publisher.adPositions('2024-05-01', '2024-05-31')).toMatchObject({ base_resp: { ret: 0 }, total_num: 0 });
    await client.datacube.publisher.cps('2024-05-01', '2024-05-02', 2, 10);
    await client.datacube.publisher.settlement('2024-05-01', '2024-05-02');
    expect(mock.requestsTo('/publisher/stat').map((r) => r.query.action)).toEqual(['publisher_adpos_general', 'publisher_cps_general', 'publisher_settlement']);
    await expect(client.datacube.publisher.cps('2024-01-01', '2024-05-01')).rejects.toThrow(/at most 90 days/);
  });
});

describe('OCR, image processing and voice', () => {
  it('recognizes from a URL or an uploaded file', async () => {
    const { client, mock } = mockClient();
    expect(await client.ocr.idCard('https://a.cn/id.jpg')).toMatchObject({ type: 'Front', name: '张三' });
    expect(mock.requestsTo('/cv/ocr/idcard')[0]?.query).toEqual({ access_token: '***', type: 'photo', img_url: 'https://a.cn/id.jpg' });
    expect((await client.ocr.bankCard(file('card.jpg'))).number).toMatch(/^\d+$/);
    for (const call of [client.ocr.vehicleLicense, client.ocr.drivingLicense, client.ocr.businessLicense, client.ocr.printedText, client.ocr.plateNumber]) {
      expect(await call('https://a.cn/x.jpg')).toMatchObject({});
    }
    expect((await client.image.scanCode('https://a.cn/qr.jpg')).code_results[0]?.data).toMatch(/^http/);
    expect((await client.image.superResolution(file('x.jpg'))).media_id).toBeTruthy();
    expect((await client.image.aiCrop('https://a.cn/x.jpg', '1,2.35')).results).toHaveLength(1);
    await expect(client.ocr.idCard('not a url')).rejects.toBeInstanceOf(ConfigError);
    await expect(client.ocr.bankCard({ data: Buffer.alloc((2 << 20) + 1), filename: 'big.jpg' })).rejects.toThrow(/2 MB/);
  });

  it('voice: submit → result; translate', async () => {
    const { client } = mockClient();
    await client.voice.recognize('voice-1', file('v.mp3'));
    expect(await client.voice.result('voice-1')).toContain('语音识别');
    expect((await failure(client.voice.result('voice-2')))?.errcode).toBe(46001);
    expect(await client.voice.translate('你好')).toEqual({ from_content: '你好', to_content: '[en_US] 你好' });
  });
});

describe('linked mini programs and QR code jump rules', () => {
  it('link → list → unlink; rule add → list → publish → download → delete', async () => {
    const { client } = mockClient();
    await client.miniProgram.link('wxmini01', true);
    expect((await client.miniProgram.linked()).wxopens.items).toEqual([expect.objectContaining({ appid: 'wxmini01' })]);
    await client.miniProgram.unlink('wxmini01');
    expect((await client.miniProgram.linked()).wxopens.items).toEqual([]);

    const rule = { prefix: 'https://a.cn/qr/', appid: 'wxmini01', path: 'pages/index' };
    await client.qrcodeJump.add(rule);
    expect((await failure(client.qrcodeJump.add(rule)))?.errcode).toBe(85068);
    await client.qrcodeJump.add({ ...rule, path: 'pages/home', is_edit: 1 });
    await client.qrcodeJump.publish(rule.prefix);
    expect((await client.qrcodeJump.list('wxmini01')).rule_list).toEqual([expect.objectContaining({ path: 'pages/home', state: 2 })]);
    expect((await client.qrcodeJump.download()).file_name).toMatch(/\.txt$/);
    await client.qrcodeJump.delete(rule.prefix, 'wxmini01');
    expect((await client.qrcodeJump.list()).rule_list).toEqual([]);
  });
});
