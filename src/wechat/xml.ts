import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ProtocolError } from '../errors.js';

/** A parsed element: text, or child elements (repeated `item`s become an array). */
export type XmlValue = string | XmlObject | XmlObject[];
export interface XmlObject {
  [name: string]: XmlValue;
}

const parser = new XMLParser({
  ignoreAttributes: true,
  // Keep every value a string: MsgId exceeds 2^53 and Content like "007" must stay as typed.
  parseTagValue: false,
  // User text keeps its spaces; whitespace between elements is dropped below.
  trimValues: false,
  // Only the five predefined entities and character references; DOCTYPEs are refused first.
  processEntities: true,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (name) => name === 'item',
});

function clean(value: unknown): XmlValue {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((v) => clean(v) as XmlObject);
  const out: XmlObject = {};
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    if (!key.startsWith('#')) out[key] = clean(child);
  }
  return out;
}

/**
 * Parses a WeChat XML document and returns the children of its root element.
 * Throws a 400 {@link ProtocolError} for malformed XML, a missing root, or any
 * DOCTYPE: WeChat never sends one, and refusing it rules out XXE and entity bombs.
 *
 * @example
 * parseXml('<xml><MsgType><![CDATA[text]]></MsgType></xml>') // { MsgType: 'text' }
 */
export function parseXml(text: string): XmlObject {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) {
    throw new ProtocolError('XML_MALFORMED', 400, 'XML with a DOCTYPE or ENTITY declaration is refused; WeChat never sends one');
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new ProtocolError('XML_MALFORMED', 400, `malformed XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`);
  }
  const doc = parser.parse(text) as Record<string, unknown>;
  const roots = Object.keys(doc).filter((k) => !k.startsWith('#') && !k.startsWith('?'));
  const root = roots.length === 1 ? doc[roots[0]!] : undefined;
  if (root === undefined || typeof root === 'string') {
    if (root === '') return {};
    throw new ProtocolError('XML_MALFORMED', 400, 'malformed XML: expected one root element with child elements, such as <xml>...</xml>');
  }
  return clean(root) as XmlObject;
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
