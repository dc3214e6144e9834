/** Temporary media (3 days) and permanent material (素材管理). */
import { ConfigError } from '../../errors.js';
import type { MediaContent, WechatJson } from '../http.js';
import { as, get, nothing, post } from './define.js';
import { int, oneOf, text } from './limits.js';

/** Kinds WeChat accepts, with its size limits: image 10 MB, voice 2 MB, video 10 MB, thumb 64 KB. */
export type MediaType = 'image' | 'voice' | 'video' | 'thumb';

const MAX_BYTES: Record<MediaType, number> = { image: 10 << 20, voice: 2 << 20, video: 10 << 20, thumb: 64 << 10 };

/** A file to upload. */
export interface MediaFile {
  data: Uint8Array | Blob;
  /** WeChat derives the format from the extension, e.g. `photo.jpg`. */
  filename: string;
  contentType?: string;
}

/** A permanent material item in batchget_material's list. */
export interface MaterialItem {
  media_id: string;
  name?: string;
  update_time: number;
  url?: string;
  content?: { news_item: Array<Record<string, unknown>> };
}

/** get_material's answer: a file for image/voice/thumb, JSON for video and news. */
export type Material = MediaContent | { title: string; description: string; down_url: string } | { news_item: Array<Record<string, unknown>> };

function form(type: MediaType, file: MediaFile, extra: Record<string, string> = {}): FormData {
  oneOf('media type', type, ['image', 'voice', 'video', 'thumb']);
  if (!file || typeof file.filename !== 'string' || !/\.[A-Za-z0-9]+$/.test(file.filename)) {
    throw new ConfigError(`media filename: expected a name with an extension (e.g. photo.jpg), got ${JSON.stringify(file?.filename)}`);
  }
  const blob = file.data instanceof Blob ? file.data : new Blob([file.data], { type: file.contentType ?? 'application/octet-stream' });
  if (blob.size > MAX_BYTES[type]) throw new ConfigError(`media ${type}: expected at most ${MAX_BYTES[type]} bytes, got ${blob.size}`);
  const f = new FormData();
  f.append('media', blob, file.filename);
  for (const [k, v] of Object.entries(extra)) f.append(k, v);
  return f;
}

const mediaId = (v: unknown) => text('media_id', v);
/** Upload answers; a thumb's id (WeChat's `thumb_media_id`) is given as `media_id` too, so every upload reads the same. */
const uploaded = (j: WechatJson) => ({ type: String(j.type), media_id: String(j.media_id ?? j.thumb_media_id), created_at: Number(j.created_at) });

export const mediaCalls = {
  /** Uploads a temporary file (kept 3 days); resolves to its media_id. */
  upload: post('/cgi-bin/media/upload', ['Uploading temporary assets', '新增临时素材'], {
    safe: true,
    request: (type: MediaType, file: MediaFile) => ({ query: { type }, form: form(type, file) }),
    result: uploaded,
  }),
  /** Downloads a temporary file; a video answers with `{ video_url }` instead. */
  get: get('/cgi-bin/media/get', ['Getting temporary assets', '获取临时素材'], {
    binary: true,
    request: (id: string) => ({ query: { media_id: mediaId(id) } }),
    result: as<MediaContent | { video_url: string }>(),
  }),
  /** Downloads a voice recorded with the JS-SDK in high quality (16 kHz speex). */
  getHdVoice: get('/cgi-bin/media/get/jssdk', ['Getting HD voice assets (JS-SDK)', '获取高清语音素材'], {
    binary: true,
    request: (id: string) => ({ query: { media_id: mediaId(id) } }),
    result: as<MediaContent>(),
  }),
  /** Uploads a picture for use inside an article body (jpg/png, under 1 MB); resolves to its URL. */
  uploadImage: post('/cgi-bin/media/uploadimg', ['Uploading images in articles', '上传图文消息内的图片获取URL'], {
    safe: true,
    request: (file: MediaFile) => {
      const f = form('image', file);
      if ((f.get('media') as Blob).size > 1 << 20) throw new ConfigError('uploadImage: expected at most 1 MB (WeChat\'s limit for images in articles)');
      return { form: f };
    },
    result: (j) => String(j.url),
  }),
  /** Uploads articles for a mass send (up to 8); resolves to the media_id to send. */
  uploadNews: post('/cgi-bin/media/uploadnews', ['Uploading articles for mass messages', '上传图文消息素材'], {
    safe: true,
    request: (articles: Array<{ thumb_media_id: string; title: string; content: string; author?: string; content_source_url?: string; digest?: string; show_cover_pic?: 0 | 1 }>) => {
      if (!Array.isArray(articles) || articles.length < 1 || articles.length > 8) throw new ConfigError(`articles: expected 1 to 8, got ${Array.isArray(articles) ? articles.length : typeof articles}`);
      return { json: { articles } };
    },
    result: uploaded,
  }),
  /** Turns an uploaded video's media_id into one usable in a mass send. */
  uploadVideo: post('/cgi-bin/media/uploadvideo', ['Uploading videos for mass messages', '上传群发视频'], {
    safe: true,
    request: (v: { media_id: string; title?: string; description?: string }) => ({ json: { ...v, media_id: mediaId(v.media_id) } }),
    result: uploaded,
  }),
};

export const materialCalls = {
  /** Adds a permanent file; a video needs `description: { title, introduction }`. Resolves to media_id (and url for images). */
  add: post('/cgi-bin/material/add_material', ['Adding other permanent assets', '新增其他类型永久素材'], {
    request: (type: MediaType, file: MediaFile, description?: { title: string; introduction: string }) => {
      if (type === 'video' && (!description || !description.title || !description.introduction)) {
        throw new ConfigError('material video: expected description { title, introduction } (WeChat requires both for a permanent video)');
      }
      return { query: { type }, form: form(type, file, description ? { description: JSON.stringify(description) } : {}) };
    },
    result: (j) => ({ media_id: String(j.media_id), url: typeof j.url === 'string' ? j.url : undefined }),
  }),
  /** A permanent item: the file, or JSON for videos and news. */
  get: post('/cgi-bin/material/get_material', ['Getting permanent assets', '获取永久素材'], {
    safe: true,
    binary: true,
    request: (id: string) => ({ json: { media_id: mediaId(id) } }),
    result: as<Material>(),
  }),
  delete: post('/cgi-bin/material/del_material', ['Deleting permanent assets', '删除永久素材'], { safe: true, request: (id: string) => ({ json: { media_id: mediaId(id) } }), result: nothing }),
  /** How many items of each kind. */
  count: get('/cgi-bin/material/get_materialcount', ['Getting the total of all materials', '获取素材总数'], {
    result: as<{ voice_count: number; video_count: number; image_count: number; news_count: number }>(),
  }),
  /** A page of items of one kind: `count` 1 to 20 from `offset`. */
  list: post('/cgi-bin/material/batchget_material', ['Getting the list of materials', '获取素材列表'], {
    safe: true,
    request: (type: 'image' | 'video' | 'voice' | 'news', offset = 0, count = 20) => ({
      json: { type: oneOf('type', type, ['image', 'video', 'voice', 'news']), offset: int('offset', offset, 0), count: int('count', count, 1, 20) },
    }),
    result: as<{ total_count: number; item_count: number; item: MaterialItem[] }>(),
  }),
};
