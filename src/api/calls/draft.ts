/** Drafts and publishing (草稿箱 / 发布能力), which replaced permanent news material in 2022. */
import { as, get, nothing, post } from './define.js';
import { int, list, text } from './limits.js';

/** An article in a draft. `thumb_media_id` is a permanent image's media_id. */
export interface DraftArticle {
  title: string;
  content: string;
  thumb_media_id: string;
  author?: string;
  digest?: string;
  content_source_url?: string;
  need_open_comment?: 0 | 1;
  only_fans_can_comment?: 0 | 1;
  pic_crop_235_1?: string;
  pic_crop_1_1?: string;
  article_type?: 'news' | 'newspic';
  [field: string]: unknown;
}

/** An article as WeChat returns it (with its url). */
export type StoredArticle = DraftArticle & { url?: string; thumb_url?: string; is_deleted?: boolean };

/** A page of drafts or published items. */
export interface ItemPage {
  total_count: number;
  item_count: number;
  item: Array<{ media_id?: string; article_id?: string; content: { news_item: StoredArticle[] }; update_time: number }>;
}

/** publish status: 0 success, 1 publishing, 2 original-content failure, 3 failed, 4 rejected, 5 deleted after success, 6 banned. */
export interface PublishStatus {
  publish_id: string;
  publish_status: 0 | 1 | 2 | 3 | 4 | 5 | 6;
  article_id?: string;
  article_detail?: { count: number; item: Array<{ idx: number; article_url: string }> };
  fail_idx?: number[];
}

const articles = (a: DraftArticle[]) =>
  list<DraftArticle>('articles', a, 8).map((x, i) => ({ ...x, title: text(`articles[${i}].title`, x?.title, 64), content: text(`articles[${i}].content`, x?.content), thumb_media_id: text(`articles[${i}].thumb_media_id`, x?.thumb_media_id) }));
const page = (offset: number, count: number, noContent: boolean) => ({ json: { offset: int('offset', offset, 0), count: int('count', count, 1, 20), no_content: noContent ? 1 : 0 } });

export const draftCalls = {
  /** Saves 1 to 8 articles as a draft; resolves to its media_id. */
  add: post('/cgi-bin/draft/add', ['Draft box: add a draft', '草稿箱 新建草稿'], { request: (a: DraftArticle[]) => ({ json: { articles: articles(a) } }), result: (j) => String(j.media_id) }),
  get: post('/cgi-bin/draft/get', ['Draft box: get a draft', '草稿箱 获取草稿'], { safe: true, request: (mediaId: string) => ({ json: { media_id: text('media_id', mediaId) } }), result: (j) => j.news_item as StoredArticle[] }),
  /** Replaces the article at `index` (0-based) of a draft. */
  update: post('/cgi-bin/draft/update', ['Draft box: modify a draft', '草稿箱 修改草稿'], {
    safe: true,
    request: (mediaId: string, index: number, article: DraftArticle) => ({ json: { media_id: text('media_id', mediaId), index: int('index', index, 0, 7), articles: articles([article])[0] } }),
    result: nothing,
  }),
  delete: post('/cgi-bin/draft/delete', ['Draft box: delete a draft', '草稿箱 删除草稿'], { safe: true, request: (mediaId: string) => ({ json: { media_id: text('media_id', mediaId) } }), result: nothing }),
  count: get('/cgi-bin/draft/count', ['Draft box: get the total of drafts', '草稿箱 获取草稿总数'], { result: (j) => Number(j.total_count) }),
  /** A page of drafts: `count` 1 to 20 from `offset`; `noContent` leaves out the bodies. */
  list: post('/cgi-bin/draft/batchget', ['Draft box: get the draft list', '草稿箱 获取草稿列表'], { safe: true, request: (offset: number = 0, count: number = 20, noContent: boolean = false) => page(offset, count, noContent), result: as<ItemPage>() }),
  /** Turns the draft box on for accounts still on the old editor (`checkOnly` only reports). */
  switch: post('/cgi-bin/draft/switch', ['Draft box: switch on', '草稿箱 草稿箱开关设置'], {
    safe: true,
    request: (checkOnly = false) => ({ query: { checkonly: checkOnly ? 1 : undefined } }),
    result: (j) => Number(j.is_open) === 1,
    example: { errcode: 0, errmsg: 'ok', is_open: 1 },
  }),
};

export const publishCalls = {
  /** Publishes a draft; resolves to the publish_id to poll (the result also arrives as a PUBLISHJOBFINISH event). */
  submit: post('/cgi-bin/freepublish/submit', ['Publishing: publish', '发布能力 发布接口'], { request: (mediaId: string) => ({ json: { media_id: text('media_id', mediaId) } }), result: (j) => String(j.publish_id) }),
  status: post('/cgi-bin/freepublish/get', ['Publishing: query status', '发布能力 发布状态轮询接口'], { safe: true, request: (publishId: string) => ({ json: { publish_id: text('publish_id', String(publishId)) } }), result: as<PublishStatus>() }),
  /** Deletes a published article (`index` 1-based; 0 or absent deletes them all). Not reversible. */
  delete: post('/cgi-bin/freepublish/delete', ['Publishing: delete a post', '发布能力 删除发布'], {
    request: (articleId: string, index?: number) => ({ json: { article_id: text('article_id', articleId), index: index === undefined ? undefined : int('index', index, 0, 8) } }),
    result: nothing,
  }),
  /** A page of successful posts. */
  list: post('/cgi-bin/freepublish/batchget', ['Publishing: get the list of posts', '发布能力 获取成功发布列表'], { safe: true, request: (offset: number = 0, count: number = 20, noContent: boolean = false) => page(offset, count, noContent), result: as<ItemPage>() }),
  article: post('/cgi-bin/freepublish/getarticle', ['Publishing: get a post by article_id', '发布能力 通过 article_id 获取已发布文章'], {
    safe: true,
    request: (articleId: string) => ({ json: { article_id: text('article_id', articleId) } }),
    result: (j) => j.news_item as StoredArticle[],
  }),
};
