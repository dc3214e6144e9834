import { describe, expect, it } from 'vitest';
import { parseMessage } from '../src/wechat/parse-message.js';
import { parseXml } from '../src/wechat/xml.js';
import { peerSamples } from './fixtures/peer-samples.js';
import { referenceXml } from './helpers/reference-xml.js';

/** Parses one sample; says what was lost or mistyped, or undefined when nothing was. */
function check(sample: (typeof peerSamples)[number]): string | undefined {
  let fields;
  try {
    fields = parseXml(sample.xml);
  } catch (error) {
    return `refused: ${(error as Error).message}`;
  }
  const reference = referenceXml(sample.xml);
  if (reference instanceof Error) return `the reference parser refused it: ${reference.message}`;
  try {
    expect(fields).toEqual(reference);
  } catch {
    return 'fields lost or changed against the reference reading';
  }
  const message = parseMessage(fields);
  try {
    if (sample.typed) expect(message).toMatchObject(sample.typed);
    else expect(message).toMatchObject({ type: 'unknown', msgType: reference.MsgType, ...(reference.Event ? { event: reference.Event } : {}) });
  } catch {
    return `typed as ${JSON.stringify({ ...message, raw: undefined })}`;
  }
  return undefined;
}

describe("real samples from peers' test suites and WeChat's docs", () => {
  it.each(peerSamples.map((s) => [`${s.origin}: ${s.name}`, s] as const))('%s parses with no field lost', (_, sample) => {
    expect(check(sample)).toBeUndefined();
  });

  it('the corpus figure: every modelled sample reaches its typed form, the rest are delivered whole as unknown', () => {
    const typed = peerSamples.filter((s) => s.typed && s.typed.type !== 'unknown');
    const typedOk = typed.filter((s) => check(s) === undefined).length;
    const allOk = peerSamples.filter((s) => check(s) === undefined).length;
    console.log(`peer corpus: ${typedOk}/${typed.length} typed with no field lost; ${allOk}/${peerSamples.length} samples read with no field lost`);
    expect(typedOk).toBe(typed.length);
    expect(allOk).toBe(peerSamples.length);
  });
});
