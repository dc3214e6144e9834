import { describe, expect, it } from 'vitest';
import { buildXml, cdata, parseXml } from './xml.js';

describe('parseXml', () => {
  it('reads CDATA and plain values as strings, keeping spaces and big numbers exact', () => {
    const f = parseXml('<xml><Content><![CDATA[  hi  ]]></Content><MsgId>6054768590064713728</MsgId><Code>007</Code></xml>');
    expect(f).toEqual({ Content: '  hi  ', MsgId: '6054768590064713728', Code: '007' });
  });

  it('decodes the predefined entities outside CDATA but not inside', () => {
    const f = parseXml('<xml><A>1 &lt; 2 &amp; 3</A><B><![CDATA[&lt;b&gt;]]></B></xml>');
    expect(f).toEqual({ A: '1 < 2 & 3', B: '&lt;b&gt;' });
  });

  it('reads nested blocks and lists of one item as arrays', () => {
    const f = parseXml('<xml><Info><Count>1</Count><PicList><item><Sum>a</Sum></item></PicList></Info></xml>');
    expect(f).toEqual({ Info: { Count: '1', PicList: { item: [{ Sum: 'a' }] } } });
  });

  it.each([
    ['unclosed root', '<xml><a>1</a>'],
    ['mismatched tags', '<xml><a>1</b></xml>'],
    ['not XML', 'hello'],
    ['empty', ''],
    ['JSON', '{"ToUserName":"x"}'],
  ])('refuses %s with a 400 ProtocolError', (_, text) => {
    expect(() => parseXml(text)).toThrow(expect.objectContaining({ code: 'XML_MALFORMED', status: 400 }));
  });

  it('names where and what went wrong', () => {
    expect(() => parseXml('<xml><a>1</b></xml>')).toThrow('malformed XML: 1:13: unexpected close tag');
    expect(() => parseXml('<xml><a>&foo;</a></xml>')).toThrow('undefined entity');
    expect(() => parseXml('<xml/>junk')).toThrow('text data outside of root node');
  });

  it('parses the next document correctly after a malformed one (the reused parser is replaced)', () => {
    for (const bad of ['<xml><a>1', '<xml><a>1</b></xml>', '<xml><a>&foo;</a></xml>']) {
      expect(() => parseXml(bad)).toThrow();
      expect(parseXml('<xml><A>1</A><B><C>2</C></B></xml>')).toEqual({ A: '1', B: { C: '2' } });
    }
  });

  it('accepts a byte-order mark, an XML declaration, comments and CRLF line ends (read as LF)', () => {
    expect(parseXml('\uFEFF<?xml version="1.0" encoding="UTF-8"?>\r\n<xml><!-- c --><A>x\r\ny</A><B><![CDATA[p\r\nq]]></B></xml>')).toEqual({ A: 'x\ny', B: 'p\nq' });
  });

  it('refuses a DOCTYPE, so external entities (XXE) are never fetched', () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><A>&e;</A></xml>';
    expect(() => parseXml(xxe)).toThrow(expect.objectContaining({ code: 'XML_MALFORMED', status: 400 }));
  });

  it('refuses a billion-laughs entity bomb without expanding it', () => {
    const levels = Array.from({ length: 9 }, (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`).join('');
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY l0 "lol">${levels}]><xml><A>&l9;</A></xml>`;
    expect(() => parseXml(bomb)).toThrow(expect.objectContaining({ code: 'XML_MALFORMED' }));
  });
});

describe('buildXml', () => {
  it('writes strings in CDATA, numbers bare, arrays as items, skipping undefined', () => {
    expect(buildXml({ A: 'x', N: 1, L: [{ T: 'a' }, { T: 'b' }], U: undefined, O: { M: 'm' } })).toBe(
      '<xml><A><![CDATA[x]]></A><N>1</N><L><item><T><![CDATA[a]]></T></item><item><T><![CDATA[b]]></T></item></L><O><M><![CDATA[m]]></M></O></xml>',
    );
  });

  it('keeps user text containing "]]>" intact through a round trip', () => {
    for (const text of [']]>', 'a]]>b]]>c', ']]]]>', '<![CDATA[x]]>', '</xml><evil/>']) {
      expect(parseXml(buildXml({ Content: text }))).toEqual({ Content: text });
    }
    expect(cdata(']]>')).toBe('<![CDATA[]]]]><![CDATA[>]]>');
  });
});
