/** Drafts and publishing: a draft becomes a post when submitted, as on WeChat. */
import type { Hono } from 'hono';
import { jsonRoute, type MockEnv } from './http.js';
import { OK, wechatError } from './errors.js';
import type { MockState } from './state.js';
import type { ArticleSet } from './store.js';

/** WeChat's checks on an article: 44003 no content, 45003 title over 64, 40007 unknown cover. */
function articleError(state: MockState, a: Record<string, unknown>) {
  if (typeof a?.title !== 'string' || !a.title) return wechatError(40227, 'title is empty');
  if ([...a.title].length > 64) return wechatError(45003, 'title size out of limit');
  if (typeof a.content !== 'string' || !a.content) return wechatError(44003, 'empty news data');
  if (!state.store.materials.has(String(a.thumb_media_id))) return wechatError(40007, 'invalid media_id');
  return null;
}

/**
 * Adds the draft and publish routes to `app`.
 *
 * @example
 * draftRoutes(app, state); // inside createMockApi
 */
export function draftRoutes(app: Hono<MockEnv>, state: MockState): void {
  const { drafts, published, publishJobs } = state.store;
  const now = () => Math.floor(state.settings.now() / 1000);
  const withUrls = (set: ArticleSet, id: string) => set.articles.map((a, i) => ({ ...a, url: `http://mp.weixin.qq.com/s?__biz=MOCK&mid=${id}&idx=${i + 1}`, thumb_url: `http://mmbiz.qpic.cn/${String(a.thumb_media_id)}` }));
  const list = (items: Map<string, ArticleSet>, key: 'media_id' | 'article_id') =>
    jsonRoute((c, b) => {
      const offset = Number(b.offset ?? 0);
      const count = Number(b.count);
      if (!Number.isInteger(count) || count < 1 || count > 20 || !Number.isInteger(offset) || offset < 0) return c.json(wechatError(40097));
      const all = [...items].reverse();
      const item = all.slice(offset, offset + count).map(([id, set]) => ({ [key]: id, content: { news_item: Number(b.no_content) === 1 ? set.articles.map(({ content: _c, ...rest }) => rest) : withUrls(set, id) }, update_time: set.updateTime }));
      return c.json({ total_count: all.length, item_count: item.length, item });
    });

  app.post(
    '/cgi-bin/draft/add',
    jsonRoute((c, b) => {
      const articles = b.articles;
      if (!Array.isArray(articles) || articles.length === 0 || articles.length > 8) return c.json(wechatError(45008));
      for (const a of articles) {
        const bad = articleError(state, a as Record<string, unknown>);
        if (bad) return c.json(bad);
      }
      const id = state.settings.newId('DRAFT_');
      drafts.set(id, { articles: articles as Array<Record<string, unknown>>, updateTime: now() });
      return c.json({ media_id: id });
    }),
  );
  app.post(
    '/cgi-bin/draft/get',
    jsonRoute((c, b) => {
      const d = drafts.get(String(b.media_id));
      return d ? c.json({ news_item: withUrls(d, String(b.media_id)) }) : c.json(wechatError(40007));
    }),
  );
  app.post(
    '/cgi-bin/draft/update',
    jsonRoute((c, b) => {
      const d = drafts.get(String(b.media_id));
      if (!d) return c.json(wechatError(40007));
      const index = Number(b.index);
      if (!Number.isInteger(index) || index < 0 || index >= d.articles.length) return c.json(wechatError(40060, 'invalid article idx'));
      const bad = articleError(state, b.articles as Record<string, unknown>);
      if (bad) return c.json(bad);
      d.articles[index] = b.articles as Record<string, unknown>;
      d.updateTime = now();
      return c.json(OK);
    }),
  );
  app.post(
    '/cgi-bin/draft/delete',
    jsonRoute((c, b) => (drafts.delete(String(b.media_id)) ? c.json(OK) : c.json(wechatError(40007)))),
  );
  app.get('/cgi-bin/draft/count', (c) => c.json({ total_count: drafts.size }));
  app.post('/cgi-bin/draft/batchget', list(drafts, 'media_id'));

  app.post(
    '/cgi-bin/freepublish/submit',
    jsonRoute((c, b) => {
      const id = String(b.media_id);
      const d = drafts.get(id);
      if (!d) return c.json(wechatError(40007));
      // Publishing moves the draft out of the draft box; the mock publishes at once.
      drafts.delete(id);
      const articleId = state.settings.newId('ARTICLE_');
      published.set(articleId, { articles: d.articles, updateTime: now() });
      const publishId = String(2_247_483_647 + state.store.nextId());
      publishJobs.set(publishId, { articleId, status: 0 });
      state.emit({ kind: 'publish', publishId, articleId });
      return c.json({ errcode: 0, errmsg: 'ok', publish_id: publishId, msg_data_id: state.store.nextId() });
    }),
  );
  app.post(
    '/cgi-bin/freepublish/get',
    jsonRoute((c, b) => {
      const job = publishJobs.get(String(b.publish_id));
      if (!job) return c.json(wechatError(53502, 'invalid publish_id'));
      const post = published.get(job.articleId);
      const status = post ? job.status : 5;
      return c.json({
        publish_id: String(b.publish_id),
        publish_status: status,
        article_id: job.articleId,
        article_detail: { count: post?.articles.length ?? 0, item: (post ? withUrls(post, job.articleId) : []).map((a, i) => ({ idx: i + 1, article_url: a.url })) },
        fail_idx: [],
      });
    }),
  );
  app.post(
    '/cgi-bin/freepublish/delete',
    jsonRoute((c, b) => (published.delete(String(b.article_id)) ? c.json(OK) : c.json(wechatError(53600, 'invalid article_id')))),
  );
  app.post('/cgi-bin/freepublish/batchget', list(published, 'article_id'));
  app.post(
    '/cgi-bin/freepublish/getarticle',
    jsonRoute((c, b) => {
      const p = published.get(String(b.article_id));
      return p ? c.json({ news_item: withUrls(p, String(b.article_id)) }) : c.json(wechatError(53600, 'invalid article_id'));
    }),
  );
}
