/**
 * The message server's reply types, as far as late replies need them.
 * Stand-ins until the server's own types (src/wechat) are merged in.
 */
export type Reply =
  | { type: 'text'; content: string }
  | { type: 'image'; mediaId: string }
  | { type: 'voice'; mediaId: string }
  | { type: 'video'; mediaId: string; title?: string; description?: string }
  | { type: 'music'; thumbMediaId: string; title?: string; description?: string; musicUrl?: string; hqMusicUrl?: string }
  | { type: 'news'; articles: Array<{ title: string; description?: string; picUrl?: string; url?: string }> }
  | { type: 'transfer_customer_service'; kfAccount?: string };

export interface LateReply {
  message: { fromUserName: string; type: string };
  reply: Reply;
  elapsedMs: number;
}
