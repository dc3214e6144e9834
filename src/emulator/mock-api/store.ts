/**
 * The mock's resources beyond tokens: what the stateful groups create, list,
 * update and delete (tags, menus, materials, drafts, templates, agents ...).
 */
import type { Comment } from '../../api/calls/comment.js';

/** A stored file: temporary media or a permanent material. */
export interface StoredFile {
  type: string;
  data: Uint8Array;
  contentType: string;
  filename: string;
  createdAt: number;
  description?: { title: string; introduction: string };
  /** News material (uploadnews): its articles. */
  articles?: Array<Record<string, unknown>>;
}

/** An article set: a draft or a published post. */
export interface ArticleSet {
  articles: Array<Record<string, unknown>>;
  updateTime: number;
}

/** A comment as the mock keeps it: the shape the client reads back. */
export type StoredComment = Comment;

/** Every resource the mock remembers; fields are read and written by the route modules. */
export class MockStore {
  readonly conditionalMenus = new Map<string, { button: unknown[]; matchrule: Record<string, unknown> }>();
  readonly tags = new Map<number, { id: number; name: string }>([[2, { id: 2, name: '星标组' }]]);
  readonly userTags = new Map<string, Set<number>>();
  readonly blacklist = new Set<string>();
  readonly kf = new Map<string, { kf_account: string; kf_nick: string; kf_id: string; kf_headimgurl: string; invite_wx?: string; invite_status?: string }>();
  readonly sessions = new Map<string, { kf_account: string; createtime: number }>();
  readonly waiting = new Map<string, number>();
  readonly media = new Map<string, StoredFile>();
  readonly materials = new Map<string, StoredFile>();
  readonly drafts = new Map<string, ArticleSet>();
  readonly published = new Map<string, ArticleSet>();
  readonly publishJobs = new Map<string, { articleId: string; status: 0 | 5 }>();
  readonly privateTemplates = new Map<string, Record<string, unknown>>();
  industry: { primary: string; secondary: string } | null = null;
  readonly subscribeTemplates = new Map<string, { priTmplId: string; title: string; content: string; example: string; type: number }>();
  readonly mass = new Map<number, { status: 'SEND_SUCCESS' | 'DELETE'; msgDataId: number }>();
  massSpeed = 0;
  readonly shortKeys = new Map<string, { long_data: string; create_time: number; expire_seconds: number }>();
  readonly comments = new Map<string, { open: boolean; list: StoredComment[] }>();
  readonly snsTokens = new Map<string, { openid: string; scope: string; expiresAt: number }>();
  readonly snsRefresh = new Map<string, { openid: string; scope: string }>();
  readonly voices = new Map<string, string>();
  readonly linkedMiniPrograms = new Map<string, { appid: string; status: number }>();
  readonly qrcodeJump = new Map<string, Record<string, unknown>>();
  private seq = 0;

  /** A new numeric id, increasing. */
  nextId(): number {
    return ++this.seq;
  }
}
