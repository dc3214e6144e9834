import { XmlElement, XmlText, parseXml as parseDocument } from '@rgrove/parse-xml';
import { ProtocolError } from '../errors.js';

/** A parsed element: text, or child elements (repeated `item`s become an array). */
export type XmlValue = string | XmlObject | XmlObject[];
export interface XmlObject {
  [name: string]: XmlValue;
}

function toValue(element: XmlElement): XmlValue {
  // One pass over the children: this runs for every field of every message.
  let text = '';
  let out: XmlObject | undefined;
  for (const child of element.children) {
    if (child instanceof XmlElement) {
      out ??= {};
      if (child.name === 'item') ((out.item ??= []) as XmlObject[]).push(toValue(child) as XmlObject);
      else out[child.name] = toValue(child);
    } else if (child instanceof XmlText) {
      // Text and CDATA are concatenated as written: user text keeps its spaces and newlines.
      text += child.text;
    }
  }
  return out ?? text;
}

/**
 * Parses a WeChat XML document and returns the children of its root element.
 * Throws a 400 {@link ProtocolError} for malformed XML, or any DOCTYPE: WeChat
 * never sends one, and refusing it rules out XXE and entity bombs. Values stay
 * strings: MsgId exceeds 2^53 and Content like "007" must stay as typed.
 *
 * @example
 * parseXml('<xml><MsgType><![CDATA[text]]></MsgType></xml>') // { MsgType: 'text' }
 */
export function parseXml(text: string): XmlObject {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) {
    throw new ProtocolError('XML_MALFORMED', 400, 'XML with a DOCTYPE or ENTITY declaration is refused; WeChat never sends one');
  }
  let root: XmlElement | null;
  try {
    root = parseDocument(text).root;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ProtocolError('XML_MALFORMED', 400, `malformed XML: ${reason}`, { cause: error });
  }
  if (!root) throw new ProtocolError('XML_MALFORMED', 400, 'malformed XML: expected a root element such as <xml>...</xml>');
  const value = toValue(root);
  return typeof value === 'string' ? {} : (value as XmlObject);
}

/** Wraps text in CDATA; a `]]>` inside is split so user text cannot end the section early. */
export function cdata(text: string): string {
  return `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

/** What {@link buildXml} writes: text in CDATA, numbers as they are, nested elements, item lists. */
export type XmlInput = { [name: string]: string | number | XmlInput | XmlInput[] | undefined };

/**
 * Serialises an object into WeChat's XML shape (`<xml>` root, strings in CDATA,
 * arrays as repeated `<item>`); `undefined` fields are left out.
 *
 * @example
 * buildXml({ MsgType: 'text', CreateTime: 1700000000 })
 * // '<xml><MsgType><![CDATA[text]]></MsgType><CreateTime>1700000000</CreateTime></xml>'
 */
export function buildXml(fields: XmlInput, root = 'xml'): string {
  return `<${root}>${body(fields)}</${root}>`;
}

function body(fields: XmlInput): string {
  let out = '';
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (typeof value === 'string') out += `<${name}>${cdata(value)}</${name}>`;
    else if (typeof value === 'number') out += `<${name}>${value}</${name}>`;
    else if (Array.isArray(value)) out += `<${name}>${value.map((v) => buildXml(v, 'item')).join('')}</${name}>`;
    else out += buildXml(value, name);
  }
  return out;
}
