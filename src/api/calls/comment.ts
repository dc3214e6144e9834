/** Comments on published articles (图文消息留言管理). `msg_data_id` comes from a mass send or publish, `index` is 0-based. */
import { as, nothing, post } from './define.js';
import { int, oneOf, text } from './limits.js';

/** One comment; `reply` is the account's answer, if any. */
export interface Comment {
  user_comment_id: number;
  openid: string;
  create_time: number;
  content: string;
  comment_type: 0 | 1;
  reply?: { content: string; create_time: number };
}

const target = (msgDataId: number | string, index = 0) => ({ msg_data_id: msgDataId, index: int('index', index, 0, 7) });
const one = (msgDataId: number | string, index: number, commentId: number) => ({ json: { ...target(msgDataId, index), user_comment_id: int('user_comment_id', commentId, 0) } });

export const commentCalls = {
  open: post('/cgi-bin/comment/open', ['Comments: open', '留言管理 打开已群发文章评论'], { safe: true, request: (msgDataId: number | string, index?: number) => ({ json: target(msgDataId, index) }), result: nothing }),
  close: post('/cgi-bin/comment/close', ['Comments: close', '留言管理 关闭已群发文章评论'], { safe: true, request: (msgDataId: number | string, index?: number) => ({ json: target(msgDataId, index) }), result: nothing }),
  /** A page of comments: `count` 1 to 50 from `begin`; type 0 all, 1 ordinary, 2 elected. */
  list: post('/cgi-bin/comment/list', ['Comments: list', '留言管理 查看指定文章的评论数据'], {
    safe: true,
    request: (q: { msg_data_id: number | string; index?: number; begin?: number; count?: number; type?: 0 | 1 | 2 }) => ({
      json: { ...target(q.msg_data_id, q.index), begin: int('begin', q.begin ?? 0, 0), count: int('count', q.count ?? 50, 1, 50), type: oneOf('type', q.type ?? 0, [0, 1, 2]) },
    }),
    result: as<{ total: number; comment: Comment[] }>(),
  }),
  markElect: post('/cgi-bin/comment/markelect', ['Comments: mark as elected', '留言管理 将评论标记精选'], { safe: true, request: one, result: nothing }),
  unmarkElect: post('/cgi-bin/comment/unmarkelect', ['Comments: unmark elected', '留言管理 将评论取消精选'], { safe: true, request: one, result: nothing }),
  delete: post('/cgi-bin/comment/delete', ['Comments: delete', '留言管理 删除评论'], { safe: true, request: one, result: nothing }),
  reply: post('/cgi-bin/comment/reply/add', ['Comments: reply', '留言管理 回复评论'], {
    request: (msgDataId: number | string, index: number, commentId: number, content: string) => ({ json: { ...one(msgDataId, index, commentId).json, content: text('content', content) } }),
    result: nothing,
  }),
  deleteReply: post('/cgi-bin/comment/reply/delete', ['Comments: delete a reply', '留言管理 删除回复'], { safe: true, request: one, result: nothing }),
};
