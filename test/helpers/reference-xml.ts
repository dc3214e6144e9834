/**
 * An independent reading of WeChat XML, for tests: @rgrove/parse-xml builds the
 * document tree, and this turns it into fields by the rules the project
 * documents, written here a second time without looking at the saxes reader:
 * - the root must be `<xml>`; a DOCTYPE is refused;
 * - an element with child elements is an object of them; a name that repeats
 *   becomes an array, and `item` is always an array;
 * - otherwise its value is its text and CDATA, where whitespace-only text next to
 *   a CDATA section is layout and dropped (a comment or processing instruction
 *   ends a run of text, as it does in saxes' events; hence preserveComments).
 */
import { parseXml as rgrove, type XmlElement, type XmlNode } from '@rgrove/parse-xml';

export type RefValue = string | RefObject | Array<string | RefObject>;
export interface RefObject {
  [name: string]: RefValue;
}

function value(el: XmlElement): string | RefObject {
  const elements = el.children.filter((c): c is XmlElement => c.type === 'element');
  if (elements.length > 0) {
    const out: RefObject = {};
    for (const child of elements) {
      const v = value(child);
      if (!Object.hasOwn(out, child.name)) Object.defineProperty(out, child.name, { value: child.name === 'item' ? [v] : v, enumerable: true, writable: true, configurable: true });
      else {
        const prev = out[child.name]!;
        if (Array.isArray(prev)) prev.push(v);
        else out[child.name] = [prev, v];
      }
    }
    return out;
  }
  const parts = el.children.filter((c: XmlNode) => c.type === 'text' || c.type === 'cdata') as Array<XmlNode & { text: string }>;
  const hasCdata = parts.some((p) => p.type === 'cdata');
  return parts.filter((p) => !(hasCdata && p.type === 'text' && /^[ \t\r\n]*$/.test(p.text))).map((p) => p.text).join('');
}

/** The fields of a WeChat XML document, or an Error for what the rules refuse. */
export function referenceXml(text: string): RefObject | Error {
  let doc;
  try {
    doc = rgrove(text, { preserveCdata: true, preserveComments: true, preserveDocumentType: true });
  } catch (error) {
    return error as Error;
  }
  if (doc.children.some((c) => c.type === 'doctype')) return new Error('DOCTYPE');
  const root = doc.root;
  if (!root || root.name !== 'xml') return new Error(`root ${root?.name}`);
  const v = value(root);
  return typeof v === 'string' ? {} : v;
}
