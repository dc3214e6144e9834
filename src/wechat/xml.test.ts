import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { referenceXml } from '../../test/helpers/reference-xml.js';
import { buildXml, cdata, MAX_XML_DEPTH, parseAny, parseFlat, parseXml } from './xml.js';

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

  it('refuses nesting deeper than MAX_XML_DEPTH, saying so, and reads a document at the limit', () => {
    const nested = (levels: number) => `<xml>${'<a>'.repeat(levels - 1)}x${'</a>'.repeat(levels - 1)}</xml>`;
    expect(() => parseXml(nested(MAX_XML_DEPTH))).not.toThrow();
    expect(() => parseXml(nested(MAX_XML_DEPTH + 1))).toThrow(expect.objectContaining({ code: 'XML_MALFORMED', status: 400, message: expect.stringMatching(/nested more than 32 levels deep/) }));
    // 9000 levels fit in 64 KiB; the de-dup key's JSON.stringify of them overflowed the stack.
    expect(() => parseXml(nested(9000))).toThrow(expect.objectContaining({ code: 'XML_MALFORMED' }));
    expect(parseXml('<xml><A>1</A></xml>')).toEqual({ A: '1' });
  });

  it('refuses a billion-laughs entity bomb without expanding it', () => {
    const levels = Array.from({ length: 9 }, (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`).join('');
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY l0 "lol">${levels}]><xml><A>&l9;</A></xml>`;
    expect(() => parseXml(bomb)).toThrow(expect.objectContaining({ code: 'XML_MALFORMED' }));
  });
});

describe('parseXml loses nothing', () => {
  it('makes an array of any element that repeats, wherever it repeats (a popup event has one <List> per template)', () => {
    const f = parseXml('<xml><Ev><List><T>a</T></List><List><T>b</T></List></Ev><A>1</A><A>2</A><A>3</A><B><C>x</C><C>y</C></B></xml>');
    expect(f).toEqual({ Ev: { List: [{ T: 'a' }, { T: 'b' }] }, A: ['1', '2', '3'], B: { C: ['x', 'y'] } });
  });

  it("keeps whatever the user typed inside CDATA: emoji codes with ']', a DOCTYPE, an ENTITY after CRLF", () => {
    for (const content of ['[微笑] <!DOCTYPE html>', '[微笑]]', 'line\n<!ENTITY x "y">', '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>']) {
      expect(parseXml(`<xml><Content><![CDATA[${content}]]></Content></xml>`)).toEqual({ Content: content });
    }
    expect(parseXml('<xml><Content><![CDATA[a\r\n<!ENTITY x "y">]]></Content></xml>')).toEqual({ Content: 'a\n<!ENTITY x "y">' });
  });

  it('refuses a DOCTYPE only where it is one: in the prolog', () => {
    expect(() => parseXml('<!DOCTYPE xml><xml><A>1</A></xml>')).toThrow(expect.objectContaining({ code: 'XML_MALFORMED', status: 400, message: expect.stringMatching(/DOCTYPE declaration is refused/) }));
    expect(() => parseXml('<xml><A><!DOCTYPE x></A></xml>')).toThrow(expect.objectContaining({ code: 'XML_MALFORMED' }));
  });

  it("trims the whitespace around a CDATA section, as WeChat's doc samples need, and nothing inside it", () => {
    expect(parseXml('<xml> <MsgType> <![CDATA[event]]> </MsgType> <Content>\n  <![CDATA[  hi  ]]>\n</Content> <N> 7 </N></xml>')).toEqual({ MsgType: 'event', Content: '  hi  ', N: ' 7 ' });
  });

  it('keeps a <__proto__> element as a field, never as the prototype', () => {
    const f = parseXml('<xml><__proto__><polluted>yes</polluted></__proto__><A>1</A></xml>');
    expect(Object.getPrototypeOf(f)).toBe(Object.prototype);
    expect((f as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(f, '__proto__')?.value).toEqual({ polluted: 'yes' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const flat = parseXml('<xml><__proto__>x</__proto__></xml>');
    expect(Object.getPrototypeOf(flat)).toBe(Object.prototype);
    expect(Object.keys(flat)).toEqual(['__proto__']);
  });

  it('refuses a root other than <xml>, naming it', () => {
    expect(() => parseXml('<foo><A>1</A></foo>')).toThrow(expect.objectContaining({ code: 'XML_MALFORMED', status: 400, message: expect.stringMatching(/root element is <foo>/) }));
    expect(() => parseXml('<XML><A>1</A></XML>')).toThrow(expect.objectContaining({ code: 'XML_MALFORMED' }));
  });

  it('reads random documents exactly as an independent parser (@rgrove/parse-xml) under the documented rules', () => {
    const pick = (...xs: string[]) => fc.constantFrom(...xs);
    const chars = (...xs: string[]) => fc.array(pick(...xs), { maxLength: 6 }).map((a) => a.join(''));
    const text = chars('a', ' ', '\n', '\t', '\r\n', '中', '😀', ']', '>', '&amp;', '&lt;', '&#65;', '&#x4E2D;', '"', "'");
    const inCdata = chars('a', ' ', '\n', '\r\n', ']', '[微笑]', '<', '&', '<!DOCTYPE html>', '<!ENTITY e "x">', '</xml>', '<![CDATA[');
    const part = fc.oneof({ weight: 3, arbitrary: text }, { weight: 3, arbitrary: inCdata.map((t) => `<![CDATA[${t}]]>`) }, { weight: 1, arbitrary: pick('<!-- c -->', '<?pi x?>', ' ', '\n  ') });
    const leaf = fc.array(part, { maxLength: 4 }).map((ps) => ps.join(''));
    const name = pick('A', 'B', 'List', 'item', 'MsgId', '__proto__', 'constructor', 'toString', 'xml');
    const { element } = fc.letrec((tie) => ({
      element: fc.tuple(name, fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('children')), pick('', ' ', '\n')).map(([n, inner, ws]) => (inner === '/' ? `<${n}/>` : `<${n}>${inner}</${n}>${ws}`)),
      children: fc.array(tie('element'), { minLength: 1, maxLength: 4 }).map((es) => (es as string[]).join('')),
    }));
    const doc = fc
      .tuple(fc.oneof({ weight: 8, arbitrary: fc.constant('') }, { weight: 1, arbitrary: pick('<?xml version="1.0"?>', '\uFEFF', '<!-- c -->\n', '<!DOCTYPE xml>', '<!DOCTYPE x [<!ENTITY e "x">]>') }), fc.oneof({ weight: 8, arbitrary: fc.constant('xml') }, { weight: 1, arbitrary: pick('foo', 'XML') }), fc.array(element, { maxLength: 5 }), pick('', '\n'))
      .map(([prolog, root, children, end]) => `${prolog}<${root}>${children.join('')}</${root}>${end}`);
    let read = 0;
    fc.assert(
      fc.property(doc, (text) => {
        const expected = referenceXml(text);
        if (expected instanceof Error) {
          expect(() => parseXml(text)).toThrow(expect.objectContaining({ code: 'XML_MALFORMED', status: 400 }));
          return;
        }
        read++;
        expect(parseXml(text)).toEqual(expected);
        expect(parseAny(text)).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
    expect(read).toBeGreaterThan(500);
  });
});

describe('parseFlat, the fast path for flat documents', () => {
  it("reads WeChat's own documents: a message as sent, an event, a safe-mode envelope", () => {
    const sent = '<xml><ToUserName><![CDATA[gh_1]]></ToUserName>\n<FromUserName><![CDATA[o1]]></FromUserName>\n<CreateTime>1348831860</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[this is a test 你好 😀]]></Content>\n<MsgId>1234567890123456</MsgId>\n</xml>';
    expect(parseFlat(sent)).toEqual({ ToUserName: 'gh_1', FromUserName: 'o1', CreateTime: '1348831860', MsgType: 'text', Content: 'this is a test 你好 😀', MsgId: '1234567890123456' });
    expect(parseFlat('<xml><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[CLICK]]></Event><EventKey><![CDATA[]]></EventKey></xml>')).toEqual({ MsgType: 'event', Event: 'CLICK', EventKey: '' });
    expect(parseFlat('<xml>\n    <ToUserName><![CDATA[gh_1]]></ToUserName>\n    <Encrypt><![CDATA[a+b/c==]]></Encrypt>\n</xml>\n')).toEqual({ ToUserName: 'gh_1', Encrypt: 'a+b/c==' });
  });

  it.each([
    ['nesting', '<xml><Info><Count>1</Count></Info></xml>'],
    ['an item list', '<xml><item>1</item></xml>'],
    ['an entity', '<xml><A>1 &lt; 2</A></xml>'],
    ['CR', '<xml><A>x\r\ny</A></xml>'],
    ['a declaration', '<?xml version="1.0"?><xml><A>1</A></xml>'],
    ['a lone surrogate', '<xml><A>\uD800</A></xml>'],
    ['a split CDATA', '<xml><A><![CDATA[]]]]><![CDATA[>]]></A></xml>'],
    ['trailing junk', '<xml><A>1</A></xml>junk'],
    ['a DOCTYPE', '<xml><A>1</A></xml><!DOCTYPE x>'],
  ])('leaves %s to saxes', (_, text) => {
    expect(parseFlat(text)).toBeUndefined();
  });

  it('reads every document it accepts exactly as saxes does (random documents around its edges)', () => {
    const pick = (...xs: string[]) => fc.constantFrom(...xs);
    // Mostly what the fast path takes, sometimes one thing it must refuse.
    const mostly = (good: fc.Arbitrary<string>, ...bad: string[]) => fc.oneof({ weight: 12, arbitrary: good }, { weight: 1, arbitrary: pick(...bad) });
    const chars = (...xs: string[]) => fc.array(pick(...xs), { maxLength: 8 }).map((a) => a.join(''));
    const clean = chars('a', 'Z', '0', ' ', '\n', '\t', '中', '😀', 'é', '>', '/', '=', '"');
    const odd = chars('a', ' ', '\r', ']', ']]>', '<', '&', '&amp;', '&#65;', '\0', '\x0B', '\x1F', '\x7F', '\uD800', '\uDC00', '\uFFFE', '<![CDATA[', '<!-- c -->', '<b>x</b>', '<b/>');
    const content = fc.oneof(
      { weight: 8, arbitrary: fc.oneof(clean, clean.map((t) => `<![CDATA[${t}]]>`)) },
      { weight: 1, arbitrary: fc.oneof(odd, odd.map((t) => `<![CDATA[${t}]]>`)) },
      { weight: 1, arbitrary: fc.tuple(clean, clean).map(([a, b]) => `<![CDATA[${a}]]>${b}`) },
      { weight: 2, arbitrary: fc.tuple(pick('', ' ', '\n', ' \t\n '), clean, pick('', ' ', '\n ')).map(([a, t, b]) => `${a}<![CDATA[${t}]]>${b}`) },
    );
    const name = mostly(pick('A', 'MsgType', 'Encrypt', '_x', 'x1', 'xml', '__proto__'), 'item', 'a-b', 'a:b', 'é', 'A ', 'A x="1"');
    const ws = mostly(pick('', '\n', ' ', '\t', '\n    '), '\r\n', 'junk', '<!-- c -->');
    const field = fc.tuple(ws, name, content, mostly(fc.constant(''), 'B', 'a')).map(([w, n, c, close]) => `${w}<${n}>${c}</${close || n.split(' ')[0]}>`);
    const doc = fc
      .tuple(mostly(fc.constant(''), ' ', '\uFEFF', '<?xml version="1.0"?>'), mostly(fc.constant('<xml>'), '<xml >', '<XML>', '<xml/>'), fc.array(field, { maxLength: 6 }), ws, mostly(pick('</xml>', '</xml>\n'), '</xml>junk', '</xml>\u00A0', '</xmlx>', '', '</xml><a/>'))
      .map(([pre, open, fields, w, end]) => `${pre}${open}${fields.join('')}${w}${end}`);
    let accepted = 0;
    fc.assert(
      fc.property(doc, (text) => {
        const flat = parseFlat(text);
        if (flat === undefined) return;
        accepted++;
        expect(flat).toEqual(parseAny(text));
      }),
      { numRuns: 3000 },
    );
    // Enough of the documents took the fast path for the comparison to mean something.
    expect(accepted).toBeGreaterThan(600);
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

  it('drops the characters XML forbids (controls, U+FFFE/U+FFFF, lone surrogates), keeping tabs, newlines, emoji and the rest', () => {
    const text = 'bell\u0007 nul\u0000 vt\u000B ff\u000C esc\u001B \uFFFE\uFFFF half\uD83D low\uDE00 ok\t\n😀';
    const xml = buildXml({ Content: text });
    expect(() => parseAny(xml)).not.toThrow();
    expect(parseXml(xml)).toEqual({ Content: 'bell nul vt ff esc  half low ok\t\n😀' });
    expect(cdata('plain')).toBe('<![CDATA[plain]]>');
  });
});
