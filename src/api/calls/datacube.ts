/**
 * Data analytics (数据统计). Each report takes `begin` and `end` dates (YYYY-MM-DD)
 * and allows a maximum span per call, checked before the call.
 */
import { get, post, type CallEntry, type DocPage } from './define.js';
import { dateRange, int } from './limits.js';

/** One row per day (or hour) of a report; fields vary by report, always with `ref_date`. */
export type DatacubeRow = { ref_date: string; ref_hour?: number; [metric: string]: unknown };

const report = (name: string, maxDays: number, doc: DocPage): CallEntry<[begin: string | Date, end: string | Date], DatacubeRow[]> =>
  post(`/datacube/${name}`, doc, { safe: true, request: (begin: string | Date, end: string | Date) => ({ json: dateRange(begin, end, maxDays) }), result: (j) => (j.list as DatacubeRow[]) ?? [] });

/** Maximum days per call, from WeChat's analytics docs. */
export const DATACUBE_SPANS: Record<string, number> = {
  getusersummary: 7, getusercumulate: 7,
  getarticlesummary: 1, getarticletotal: 1, getuserread: 3, getuserreadhour: 1, getusershare: 7, getusersharehour: 1,
  getupstreammsg: 7, getupstreammsghour: 1, getupstreammsgweek: 30, getupstreammsgmonth: 30, getupstreammsgdist: 15, getupstreammsgdistweek: 30, getupstreammsgdistmonth: 30,
  getinterfacesummary: 30, getinterfacesummaryhour: 1,
};

const r = (name: string, en: string, zh: string) => report(name, DATACUBE_SPANS[name] as number, [`Analytics: ${en}`, `数据统计 ${zh}`]);

/** Publisher (流量主) reports: `/publisher/stat` with an `action`, paged, at most 90 days per call. */
const ad = (action: string, en: string, zh: string) =>
  get('/publisher/stat', [`Publisher reports: ${en}`, `流量主数据 ${zh}`], {
    request: (begin: string | Date, end: string | Date, page = 1, pageSize = 90) => {
      const { begin_date, end_date } = dateRange(begin, end, 90);
      return { query: { action, page: int('page', page, 1), page_size: int('page_size', pageSize, 1, 90), start_date: begin_date, end_date } };
    },
    result: (j) => j as { base_resp: { err_msg: string; ret: number }; list?: Array<Record<string, unknown>>; total_num?: number },
  });

export const datacubeCalls = {
  users: {
    summary: r('getusersummary', 'user growth and loss', '获取用户增减数据'),
    cumulate: r('getusercumulate', 'cumulative users', '获取累计用户数据'),
  },
  articles: {
    summary: r('getarticlesummary', 'daily article data', '获取图文群发每日数据'),
    total: r('getarticletotal', 'article totals', '获取图文群发总数据'),
    read: r('getuserread', 'article reads', '获取图文统计数据'),
    readHour: r('getuserreadhour', 'article reads by hour', '获取图文统计分时数据'),
    share: r('getusershare', 'article shares', '获取图文分享转发数据'),
    shareHour: r('getusersharehour', 'article shares by hour', '获取图文分享转发分时数据'),
  },
  messages: {
    summary: r('getupstreammsg', 'messages sent by users', '获取消息发送概况数据'),
    hour: r('getupstreammsghour', 'messages by hour', '获取消息发送分时数据'),
    week: r('getupstreammsgweek', 'messages by week', '获取消息发送周数据'),
    month: r('getupstreammsgmonth', 'messages by month', '获取消息发送月数据'),
    dist: r('getupstreammsgdist', 'message count distribution', '获取消息发送分布数据'),
    distWeek: r('getupstreammsgdistweek', 'message distribution by week', '获取消息发送分布周数据'),
    distMonth: r('getupstreammsgdistmonth', 'message distribution by month', '获取消息发送分布月数据'),
  },
  publisher: {
    adPositions: ad('publisher_adpos_general', 'ad positions', '获取公众号分广告位数据'),
    cps: ad('publisher_cps_general', 'CPS commissions', '获取公众号返佣商品数据'),
    settlement: ad('publisher_settlement', 'settlements', '获取公众号结算收入数据及结算主体信息'),
  },
  interface: {
    summary: r('getinterfacesummary', 'API calls', '获取接口分析数据'),
    hour: r('getinterfacesummaryhour', 'API calls by hour', '获取接口分析分时数据'),
  },
};
