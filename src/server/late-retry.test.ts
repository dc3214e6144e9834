import { describe, expect, it } from 'vitest';
import type { WechatMessage } from '../wechat/messages.js';
import { Deadlines } from './deadlines.js';
import { RetryReplies } from './late-retry.js';

const text = (user: string, content: string, msgId: string) =>
  ({ type: 'text', toUserName: 'gh', fromUserName: user, createTime: 1, msgId, content, raw: {} }) as WechatMessage;

function replies(keepMs: number) {
  let clock = 0;
  const retry = new RetryReplies({ deadlines: new Deadlines(20), holdMs: 0, keepMs, now: () => clock });
  const never = new Promise<null>(() => {});
  // hold() resolves once the hold is over (holdMs 0): at once.
  const hold = (at: number, user: string, msgId: string) => { clock = at; return retry.hold(`k${msgId}`, text(user, 'slow', msgId), never, at); };
  return { retry, hold, held: (user: string, msgId: string) => retry.has(`k${msgId}`, text(user, 'slow', msgId)) };
}

describe('RetryReplies forgets what expired', () => {
  it('drops an entry replaced by a later message of the same user once it expires (it stayed under its key for good)', async () => {
    const { hold, held } = replies(1000);
    await hold(0, 'oA', '1');
    await hold(100, 'oA', '2');
    expect(held('oA', '1')).toBe(true); // kept for its own retries
    await hold(1050, 'oB', '3');
    expect(held('oA', '1')).toBe(false);
    expect(held('oA', '2')).toBe(true);
  });

  it('keeps users in the order of holding, so a user held again does not shield an older parked reply from expiry', async () => {
    const { retry, hold, held } = replies(1000);
    await hold(0, 'oA', '1');
    await hold(100, 'oB', '2');
    // WeChat's two retries of oB's message: the reply is not ready, so it is parked for "继续".
    await retry.take('k2', text('oB', 'slow', '2'));
    expect(await retry.take('k2', text('oB', 'slow', '2'))).toMatchObject({ kind: 'reply', reply: { content: expect.stringMatching(/继续/) } });
    const goOn = text('oB', '继续', '9');
    expect(retry.has('k9', goOn)).toBe(true);
    await hold(200, 'oA', '3');
    await hold(1150, 'oC', '4');
    expect(retry.has('k9', goOn)).toBe(false);
    expect(held('oA', '3')).toBe(true);
  });
});
