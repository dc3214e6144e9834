/** Media downloads, images for articles, and permanent material (add, get, delete, count, list). */
import type { Context, Hono } from 'hono';
import { jsonRoute, type MockEnv } from './http.js';
import { OK, wechatError } from './errors.js';
import type { MockState } from './state.js';
import type { StoredFile } from './store.js';

const KINDS = ['image', 'voice', 'video', 'thumb'];

async function fileField(c: Context<MockEnv>, name: string): Promise<{ file: File | null; form: Record<string, unknown> }> {
  const form = (await c.req.parseBody().catch(() => ({}))) as Record<string, unknown>;
  const file = form[name];
  return { file: file instanceof File && file.size > 0 ? file : null, form };
}

/** A file as WeChat serves a download: raw bytes, with its name in Content-Disposition. */
function download(c: Context<MockEnv>, f: StoredFile): Response {
  return c.body(f.data as Uint8Array<ArrayBuffer>, 200, { 'content-type': f.contentType, 'content-disposition': `attachment; filename="${f.filename}"` });
}

/**
 * Adds the material routes to `app`.
 *
 * @example
 * materialRoutes(app, state); // inside createMockApi
 */
export function materialRoutes(app: Hono<MockEnv>, state: MockState): void {
  const { media, materials } = state.store;
  const now = () => Math.floor(state.settings.now() / 1000);

  app.get('/cgi-bin/media/get', (c) => {
    const f = media.get(c.req.query('media_id') ?? '');
    if (!f) return c.json(wechatError(40007));
    // WeChat hands out a URL for videos instead of the bytes.
    return f.type === 'video' ? c.json({ video_url: `http://mock.weixin.qq.com/video/${c.req.query('media_id')}` }) : download(c, f);
  });
  app.get('/cgi-bin/media/get/jssdk', (c) => {
    const f = media.get(c.req.query('media_id') ?? '');
    if (!f || f.type !== 'voice') return c.json(wechatError(40007));
    return download(c, { ...f, contentType: 'voice/speex', filename: f.filename.replace(/\.\w+$/, '.speex') });
  });
  app.post('/cgi-bin/media/uploadimg', async (c) => {
    const { file } = await fileField(c, 'media');
    if (!file) return c.json(wechatError(41005));
    if (!/\.(jpe?g|png)$/i.test(file.name)) return c.json(wechatError(40005, 'invalid file type'));
    if (file.size > 1 << 20) return c.json(wechatError(40009, 'invalid image size'));
    return c.json({ url: `http://mmbiz.qpic.cn/mmbiz_jpg/${state.settings.newId('IMG_')}/0` });
  });
  app.post(
    '/cgi-bin/media/uploadnews',
    jsonRoute((c, b) => {
      const articles = b.articles;
      if (!Array.isArray(articles) || articles.length === 0 || articles.length > 8) return c.json(wechatError(45008));
      const id = state.settings.newId('NEWS_');
      materials.set(id, { type: 'news', data: new Uint8Array(), contentType: 'application/json', filename: '', createdAt: now(), articles: articles as Array<Record<string, unknown>> });
      return c.json({ type: 'news', media_id: id, created_at: now() });
    }),
  );
  app.post(
    '/cgi-bin/media/uploadvideo',
    jsonRoute((c, b) => {
      const f = media.get(String(b.media_id));
      if (!f || f.type !== 'video') return c.json(wechatError(40007));
      return c.json({ type: 'video', media_id: state.settings.newId('MPVIDEO_'), created_at: now() });
    }),
  );

  app.post('/cgi-bin/material/add_material', async (c) => {
    const type = c.req.query('type') ?? '';
    if (!KINDS.includes(type)) return c.json(wechatError(40004));
    const { file, form } = await fileField(c, 'media');
    if (!file) return c.json(wechatError(41005));
    let description: StoredFile['description'];
    if (type === 'video') {
      try {
        description = JSON.parse(String(form.description ?? ''));
      } catch {
        return c.json(wechatError(40097, 'invalid args hint: [description missing]'));
      }
      if (!description?.title) return c.json(wechatError(40227, 'title is empty'));
    }
    const id = state.settings.newId('MATERIAL_');
    materials.set(id, { type, data: new Uint8Array(await file.arrayBuffer()), contentType: file.type || 'application/octet-stream', filename: file.name, createdAt: now(), description });
    return c.json(type === 'image' ? { media_id: id, url: `http://mmbiz.qpic.cn/mmbiz_jpg/${id}/0` } : { media_id: id });
  });
  app.post(
    '/cgi-bin/material/get_material',
    jsonRoute((c, b) => {
      const f = materials.get(String(b.media_id));
      if (!f) return c.json(wechatError(40007));
      if (f.type === 'video') return c.json({ title: f.description?.title ?? '', description: f.description?.introduction ?? '', down_url: `http://mock.weixin.qq.com/video/${b.media_id}` });
      if (f.type === 'news') return c.json({ news_item: f.articles ?? [] });
      return download(c, f);
    }),
  );
  app.post(
    '/cgi-bin/material/del_material',
    jsonRoute((c, b) => (materials.delete(String(b.media_id)) ? c.json(OK) : c.json(wechatError(40007)))),
  );
  app.get('/cgi-bin/material/get_materialcount', (c) => {
    const count = (t: string) => [...materials.values()].filter((m) => m.type === t).length;
    return c.json({ voice_count: count('voice'), video_count: count('video'), image_count: count('image') + count('thumb'), news_count: count('news') });
  });
  app.post(
    '/cgi-bin/material/batchget_material',
    jsonRoute((c, b) => {
      const type = String(b.type);
      if (!['image', 'voice', 'video', 'news'].includes(type)) return c.json(wechatError(40004));
      const count = Number(b.count);
      const offset = Number(b.offset ?? 0);
      if (!Number.isInteger(count) || count < 1 || count > 20 || !Number.isInteger(offset) || offset < 0) return c.json(wechatError(40097));
      const all = [...materials].filter(([, m]) => m.type === type || (type === 'image' && m.type === 'thumb'));
      const item = all.slice(offset, offset + count).map(([media_id, m]) =>
        type === 'news'
          ? { media_id, content: { news_item: m.articles ?? [] }, update_time: m.createdAt }
          : { media_id, name: m.filename, update_time: m.createdAt, ...(type === 'image' ? { url: `http://mmbiz.qpic.cn/mmbiz_jpg/${media_id}/0` } : {}) },
      );
      return c.json({ total_count: all.length, item_count: item.length, item });
    }),
  );
}
