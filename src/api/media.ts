/** Temporary media (kept by WeChat for 3 days): upload to get a media_id for image, voice and video messages. */
import { ConfigError } from '../errors.js';
import type { ApiContext } from './context.js';

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

/** @see mediaApi */
export interface MediaApi {
  /** Uploads a temporary file; resolves to its media_id. */
  upload(type: MediaType, file: MediaFile): Promise<{ type: string; mediaId: string; createdAt: number }>;
}

/**
 * @example
 * const { mediaId } = await client.media.upload('image', { data: await readFile('a.jpg'), filename: 'a.jpg' });
 * await client.customerService.send(openid, { type: 'image', mediaId });
 */
export function mediaApi(ctx: ApiContext): MediaApi {
  return {
    async upload(type, file) {
      if (!(type in MAX_BYTES)) throw new ConfigError(`media type: expected image, voice, video or thumb, got ${JSON.stringify(type)}`);
      if (!file || typeof file.filename !== 'string' || !/\.[A-Za-z0-9]+$/.test(file.filename)) {
        throw new ConfigError(`media filename: expected a name with an extension (e.g. photo.jpg), got ${JSON.stringify(file?.filename)}`);
      }
      const blob = file.data instanceof Blob ? file.data : new Blob([file.data], { type: file.contentType ?? 'application/octet-stream' });
      if (blob.size > MAX_BYTES[type]) throw new ConfigError(`media ${type}: expected at most ${MAX_BYTES[type]} bytes, got ${blob.size}`);
      const form = new FormData();
      form.append('media', blob, file.filename);
      const json = await ctx.request({ method: 'POST', path: '/cgi-bin/media/upload', query: { type }, form, idempotent: true });
      return { type: String(json.type), mediaId: String(json.media_id ?? json.thumb_media_id), createdAt: Number(json.created_at) };
    },
  };
}
