/**
 * Messages of the CDC IIS SOAP web service (WSDL namespace `urn:cdc:iisb:2011`), the transport CAIR2, RIDE and
 * SDIR take HL7 v2 over. Pure string in, string out: no I/O, so the registry reporter, the SOAP intake endpoint
 * and the local registry stand-ins share one reading of the wire format.
 *
 * Element names follow the 2011 schema as published in the CDC "Transport Layer Protocol Recommendation" WSDL
 * (document/literal wrapped): the request wrapper is the operation name itself (`submitSingleMessage`,
 * `connectivityTest`), the response wrapper is `<operation>Response` with a single `return` child, and the
 * children are namespace-qualified (elementFormDefault="qualified"). The capitalised `SubmitSingleMessageRequest`
 * family belongs to the later `urn:cdc:iisb:2014` WSDL, which CAIR2 does not speak.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { echo, MAX_ECHO, shown } from '#platform/findings.ts';

export const CDC_IIS_NS = 'urn:cdc:iisb:2011';
export const SOAP12_ENV_NS = 'http://www.w3.org/2003/05/soap-envelope';
export const SOAP11_ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const SOAP12_MEDIA_TYPE = 'application/soap+xml';
export const SOAP12_CONTENT_TYPE = `${SOAP12_MEDIA_TYPE}; charset=utf-8`;

/** soapAction values of the WSDL's SOAP 1.2 binding; SOAP 1.2 carries them as the content type's `action`. */
export const SOAP_ACTIONS = {
  connectivityTest: `${CDC_IIS_NS}:connectivityTest`,
  submitSingleMessage: `${CDC_IIS_NS}:submitSingleMessage`,
} as const;

export type CdcOperation = keyof typeof SOAP_ACTIONS;

/** The Content-Type header of a request for `operation` (SOAP 1.2 has no SOAPAction header). */
export function soapContentType(operation: CdcOperation): string {
  return `${SOAP12_CONTENT_TYPE}; action="${SOAP_ACTIONS[operation]}"`;
}

/** The four fault elements of the WSDL; `fault` is its generic one (message `UnknownFault_Message`). */
export const CDC_FAULTS = [
  'SecurityFault',
  'MessageTooLargeFault',
  'UnsupportedOperationFault',
  'fault',
] as const;
export type CdcFault = (typeof CDC_FAULTS)[number];

/**
 * The fixed `Reason` token the CDC schema gives each specific fault element. The human-readable reason goes in
 * the SOAP 1.2 env:Reason and in the element's `Detail`.
 */
const CDC_FAULT_REASON_TOKEN: Record<Exclude<CdcFault, 'fault'>, string> = {
  SecurityFault: 'Security',
  MessageTooLargeFault: 'MessageTooLarge',
  UnsupportedOperationFault: 'UnsupportedOperation',
};

/** SOAP 1.2 env:Code values (Part 1 §5.4.6). */
export type Soap12FaultCode =
  | 'Sender'
  | 'Receiver'
  | 'VersionMismatch'
  | 'MustUnderstand'
  | 'DataEncodingUnknown';

export interface SubmitSingleMessageRequest {
  username: string;
  password: string;
  facilityID: string;
  hl7Message: string;
}

export type SoapRequest =
  | ({ operation: 'submitSingleMessage' } & SubmitSingleMessageRequest)
  | { operation: 'connectivityTest'; echoBack: string }
  | { operation: 'unknown'; name: string; namespace: string | undefined };

export interface SoapFaultResult {
  kind: 'fault';
  fault: CdcFault;
  /** env:Code/env:Value: a {@link Soap12FaultCode} when the server used the SOAP 1.2 namespace, else its text. */
  code: string;
  reason: string;
  detail?: string;
  /** MessageTooLargeFault only: the message size and the registry's limit, when the registry says. */
  size?: number;
  maxSize?: number;
}

export type SoapResponse = { kind: 'ack'; hl7: string } | { kind: 'echo'; text: string } | SoapFaultResult;

export type SoapParseErrorKind =
  /** Not well-formed XML, or XML this codec refuses (a DTD, characters XML 1.0 forbids). */
  | 'malformed-xml'
  /** Well-formed XML but not a SOAP envelope with a body. */
  | 'not-soap'
  /** A SOAP 1.1 envelope: the server should answer a VersionMismatch fault, a client should not trust it. */
  | 'version-mismatch'
  /** A SOAP 1.2 envelope whose body is none of the responses this WSDL defines. */
  | 'unexpected-body';

/** Thrown by the parsers; `kind` lets a server pick its fault and a client its outcome without reading text. */
export class SoapParseError extends Error {
  readonly kind: SoapParseErrorKind;
  constructor(kind: SoapParseErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SoapParseError';
    this.kind = kind;
  }
}

/** Thrown by the builders for text XML 1.0 cannot carry at all (C0 controls other than TAB/LF/CR, lone surrogates). */
export class SoapEncodingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SoapEncodingError';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Building
// ---------------------------------------------------------------------------------------------------------------

/** Index of the first UTF-16 unit XML 1.0 §2.2 forbids even as a character reference, or -1. */
function firstNonXmlUnit(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 ? c !== 0x9 && c !== 0xa && c !== 0xd : c === 0xfffe || c === 0xffff) return i;
  }
  return -1;
}

function assertXmlChars(text: string, field: string): void {
  const at = firstNonXmlUnit(text);
  if (at >= 0) {
    // Position and code point only: the text is usually an HL7 message full of patient data.
    const cp = text.charCodeAt(at).toString(16).toUpperCase().padStart(4, '0');
    throw new SoapEncodingError(`${field}: U+${cp} at offset ${at} cannot be carried in XML 1.0`);
  }
  if (!text.isWellFormed()) throw new SoapEncodingError(`${field}: contains a lone UTF-16 surrogate`);
}

/**
 * Escapes element text. `>` is escaped so `]]>` can never appear; CR is written as `&#13;` because every
 * conforming XML parser turns a raw CR (and CRLF) into LF (XML 1.0 §2.11), which would eat HL7's segment
 * separators on the way to a Java or .NET registry.
 */
export function escapeXmlText(text: string, field = 'text'): string {
  assertXmlChars(text, field);
  return escapeMarkupAndCr(text);
}

function escapeMarkupAndCr(text: string): string {
  return text.replace(/[&<>\r]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#13;',
  );
}

/** Escapes an attribute value (double-quoted); TAB and LF are referenced too, since attribute values normalise them. */
export function escapeXmlAttr(text: string, field = 'attribute'): string {
  return escapeXmlText(text, field).replace(/["\t\n]/g, (c) =>
    c === '"' ? '&quot;' : c === '\t' ? '&#9;' : '&#10;',
  );
}

const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>';

function envelope(body: string): string {
  return `${XML_DECL}<soap:Envelope xmlns:soap="${SOAP12_ENV_NS}" xmlns:iis="${CDC_IIS_NS}"><soap:Body>${body}</soap:Body></soap:Envelope>`;
}

function el(name: string, text: string): string {
  return `<iis:${name}>${escapeXmlText(text, name)}</iis:${name}>`;
}

export function buildSubmitSingleMessageRequest(req: SubmitSingleMessageRequest): string {
  return envelope(
    `<iis:submitSingleMessage>${el('username', req.username)}${el('password', req.password)}${el('facilityID', req.facilityID)}${el('hl7Message', req.hl7Message)}</iis:submitSingleMessage>`,
  );
}

export function buildConnectivityTestRequest(echoBack: string): string {
  return envelope(`<iis:connectivityTest>${el('echoBack', echoBack)}</iis:connectivityTest>`);
}

export function buildSubmitSingleMessageResponse(hl7Ack: string): string {
  return envelope(
    `<iis:submitSingleMessageResponse>${el('return', hl7Ack)}</iis:submitSingleMessageResponse>`,
  );
}

export function buildConnectivityTestResponse(echo: string): string {
  return envelope(`<iis:connectivityTestResponse>${el('return', echo)}</iis:connectivityTestResponse>`);
}

export interface FaultOptions {
  /** Text for the CDC element's `Detail` (defaults to none). */
  detail?: string;
  /** The CDC element's integer `Code`; the schema leaves its values to each IIS, so it is omitted unless given. */
  cdcCode?: number;
  /** MessageTooLargeFault: the size received and the limit, both in bytes. */
  size?: number;
  maxSize?: number;
  /** Overrides the env:Code the fault name implies (see {@link defaultFaultCode}). */
  code?: Soap12FaultCode;
}

/**
 * Who is to blame by default: the three named faults are about the request (bad credentials, too large, an
 * operation this endpoint lacks); the generic `fault` is what a server says when it broke, and SOAP 1.2 lets a
 * client resend a Receiver fault later.
 */
export function defaultFaultCode(fault: CdcFault): Soap12FaultCode {
  return fault === 'fault' ? 'Receiver' : 'Sender';
}

/** SOAP 1.2 HTTP binding (Part 2 §7.5.2.2): Sender faults go back as 400, every other fault as 500. */
export function faultHttpStatus(code: Soap12FaultCode): 400 | 500 {
  return code === 'Sender' ? 400 : 500;
}

/** A SOAP 1.2 Fault whose env:Detail carries the CDC fault element, so WSDL-generated clients map it to their exception. */
export function buildFault(fault: CdcFault, reason: string, detail?: string | FaultOptions): string {
  const opts: FaultOptions = typeof detail === 'string' ? { detail } : (detail ?? {});
  const code = opts.code ?? defaultFaultCode(fault);
  const cdcReason = fault === 'fault' ? reason : CDC_FAULT_REASON_TOKEN[fault];
  let inner = '';
  if (opts.cdcCode !== undefined) inner += el('Code', String(Math.trunc(opts.cdcCode)));
  inner += el('Reason', cdcReason);
  if (opts.detail !== undefined) inner += el('Detail', opts.detail);
  if (fault === 'MessageTooLargeFault') {
    if (opts.size !== undefined) inner += el('Size', String(Math.trunc(opts.size)));
    if (opts.maxSize !== undefined) inner += el('MaxSize', String(Math.trunc(opts.maxSize)));
  }
  return envelope(
    `<soap:Fault><soap:Code><soap:Value>soap:${code}</soap:Value></soap:Code>` +
      `<soap:Reason><soap:Text xml:lang="en">${escapeXmlText(reason, 'reason')}</soap:Text></soap:Reason>` +
      `<soap:Detail><iis:${fault}>${inner}</iis:${fault}></soap:Detail></soap:Fault>`,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------------------------

/** A namespace-resolved element: fast-xml-parser keeps prefixes as written, and prefixes mean nothing on the wire. */
interface XmlElement {
  ns: string | undefined;
  local: string;
  attrs: Readonly<Record<string, string>>;
  /** In-scope prefix → namespace, for QName-valued text such as env:Value. */
  scope: ReadonlyMap<string, string>;
  children: XmlElement[];
  /** The element's own character data, concatenated. */
  text: string;
}

const XML_NS = 'http://www.w3.org/XML/1998/namespace';

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function isXmlCodePoint(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

function decodeXmlEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z_][\w.-]*);/g, (_m, ref: string) => {
    if (ref.startsWith('#')) {
      const cp = ref[1] === 'x' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      if (!isXmlCodePoint(cp))
        throw new SoapParseError('malformed-xml', 'character reference to a non-XML character');
      return String.fromCodePoint(cp);
    }
    const named = NAMED_ENTITIES[ref];
    if (named === undefined) throw new SoapParseError('malformed-xml', `undeclared entity &${shown(ref)};`);
    return named;
  });
}

/**
 * fast-xml-parser decodes numeric character references only in its HTML mode, which also brings HTML's named
 * entities; XML needs exactly the five predefined entities plus numeric references (`&#13;` above all).
 */
const xmlEntityDecoder = {
  setExternalEntities: () => {},
  addInputEntities: (entities: Record<string, string>) => {
    if (Object.keys(entities).length > 0)
      throw new SoapParseError('malformed-xml', 'a DTD is not allowed in SOAP');
  },
  reset: () => {},
  decode: decodeXmlEntities,
  setXmlVersion: () => {},
};

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  // Leading/trailing spaces of an HL7 message or password are data.
  trimValues: false,
  processEntities: true,
  entityDecoder: xmlEntityDecoder,
  cdataPropName: '#cdata',
  ignoreDeclaration: true,
  ignorePiTags: true,
  removeNSPrefix: false,
});

// Markup a text-content scan must step over. CDATA captures its content; tags allow `>` inside quoted values.
const MARKUP =
  /<!--[\s\S]*?-->|<!\[CDATA\[([\s\S]*?)\]\]>|<\?[\s\S]*?\?>|<!DOCTYPE|<(?:[^>"']|"[^"]*"|'[^']*')*>/g;

/**
 * fast-xml-parser normalises every raw CR in the document to LF before parsing, as XML 1.0 §2.11 says. HL7
 * senders that put raw CRs in the element (rather than `&#13;`) mean them as segment separators, so CRs in
 * character data are turned into references first, and CDATA sections into escaped text (a reference inside
 * CDATA would not be decoded). CRs inside tags and comments are left to the normalisation, where they are
 * only whitespace.
 */
function protectCharacterData(xml: string): string {
  let out = '';
  let last = 0;
  // Outside the root element CRs are only line ends, and a reference there would be text where none may be.
  let depth = 0;
  const text = (s: string) => (depth > 0 ? s.replaceAll('\r', '&#13;') : s);
  for (const m of xml.matchAll(MARKUP)) {
    out += text(xml.slice(last, m.index));
    const [token, cdata] = m;
    // SOAP 1.2 Part 1 §5: an envelope must not carry a DTD; refusing it also rules out entity-expansion attacks.
    if (token === '<!DOCTYPE') throw new SoapParseError('malformed-xml', 'a DTD is not allowed in SOAP');
    out += cdata === undefined ? token : escapeMarkupAndCr(cdata);
    if (token.startsWith('</')) depth--;
    else if (!token.startsWith('<!') && !token.startsWith('<?') && !token.endsWith('/>')) depth++;
    last = m.index + token.length;
  }
  return out + text(xml.slice(last));
}

type FxpNode = Record<string, unknown>;

function splitQName(qname: string): [prefix: string, local: string] {
  const i = qname.indexOf(':');
  return i < 0 ? ['', qname] : [qname.slice(0, i), qname.slice(i + 1)];
}

function toElement(tag: string, node: FxpNode, parentScope: ReadonlyMap<string, string>): XmlElement {
  const rawAttrs = (node[':@'] ?? {}) as Record<string, string>;
  let scope = parentScope;
  const attrs: Record<string, string> = {};
  for (const [name, value] of Object.entries(rawAttrs)) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) {
      if (scope === parentScope) scope = new Map(parentScope);
      (scope as Map<string, string>).set(name === 'xmlns' ? '' : name.slice(6), value);
    } else {
      attrs[name] = value;
    }
  }
  const [prefix, local] = splitQName(tag);
  const ns = scope.get(prefix);
  if (prefix !== '' && ns === undefined)
    throw new SoapParseError('malformed-xml', `undeclared prefix ${echo(prefix)}`);
  const children: XmlElement[] = [];
  let text = '';
  for (const child of (node[tag] ?? []) as FxpNode[]) {
    const key = Object.keys(child).find((k) => k !== ':@');
    if (key === undefined) continue;
    if (key === '#text') text += String(child[key]);
    else if (key === '#cdata') {
      for (const part of child[key] as FxpNode[]) text += String(part['#text'] ?? '');
    } else children.push(toElement(key, child, scope));
  }
  return { ns: ns === '' ? undefined : ns, local, attrs, scope, children, text };
}

function parseXmlDocument(xml: string): XmlElement {
  const source = xml.replace(/^\uFEFF/, '').trimStart();
  let valid: true | { err: { code: string; msg: string; line: number; col: number } };
  try {
    valid = XMLValidator.validate(source);
  } catch (e) {
    throw new SoapParseError('malformed-xml', 'not well-formed XML', { cause: e });
  }
  if (valid !== true) {
    // The validator's message can quote document text; line and column are enough to find the fault.
    throw new SoapParseError(
      'malformed-xml',
      `not well-formed XML (${valid.err.code} at ${valid.err.line}:${valid.err.col})`,
    );
  }
  let nodes: FxpNode[];
  try {
    nodes = parser.parse(protectCharacterData(source)) as FxpNode[];
  } catch (e) {
    if (e instanceof SoapParseError) throw e;
    throw new SoapParseError('malformed-xml', 'not well-formed XML', { cause: e });
  }
  const roots = nodes.flatMap((n) => {
    const key = Object.keys(n).find((k) => k !== ':@');
    return key === undefined || key === '#text' ? [] : [[key, n] as const];
  });
  const root = roots[0];
  if (roots.length !== 1 || root === undefined)
    throw new SoapParseError('malformed-xml', 'expected one root element');
  return toElement(root[0], root[1], new Map([['xml', XML_NS]]));
}

function soapBody(xml: string): XmlElement {
  const root = parseXmlDocument(xml);
  if (root.local === 'Envelope' && root.ns === SOAP11_ENV_NS) {
    throw new SoapParseError('version-mismatch', 'SOAP 1.1 envelope; this service speaks SOAP 1.2');
  }
  if (root.local !== 'Envelope' || root.ns !== SOAP12_ENV_NS) {
    throw new SoapParseError('not-soap', `root element is not a SOAP 1.2 Envelope (${describe(root)})`);
  }
  const body = root.children.find((c) => c.ns === SOAP12_ENV_NS && c.local === 'Body');
  if (!body) throw new SoapParseError('not-soap', 'SOAP envelope has no Body');
  return body;
}

/**
 * An element's name for a fault: the caller's text, so shown as findings show what they repeat (cut at 64
 * characters, controls and lone surrogates escaped): a NUL in a namespace name made the fault itself unencodable.
 */
function describe(e: XmlElement): string {
  const named = (t: string) => {
    const length = [...t].length;
    return length > MAX_ECHO ? `${shown(t)} (${length} characters)` : shown(t);
  };
  return e.ns ? `{${named(e.ns)}}${named(e.local)}` : named(e.local);
}

/**
 * A child's text by local name. Children in the CDC namespace or in none are both read: the schema says
 * qualified, but hand-built clients often leave them unqualified, and the names cannot be confused.
 */
function childText(parent: XmlElement, local: string): string | undefined {
  const child = parent.children.find((c) => c.local === local && (c.ns === CDC_IIS_NS || c.ns === undefined));
  return child?.text;
}

/** Reads a request to the service. Throws {@link SoapParseError} for anything that is not a SOAP 1.2 envelope. */
export function parseSoapRequest(xml: string): SoapRequest {
  const payload = soapBody(xml).children[0];
  if (!payload) throw new SoapParseError('not-soap', 'SOAP Body is empty');
  if (payload.ns === CDC_IIS_NS && payload.local === 'submitSingleMessage') {
    return {
      operation: 'submitSingleMessage',
      username: childText(payload, 'username') ?? '',
      password: childText(payload, 'password') ?? '',
      facilityID: childText(payload, 'facilityID') ?? '',
      hl7Message: childText(payload, 'hl7Message') ?? '',
    };
  }
  if (payload.ns === CDC_IIS_NS && payload.local === 'connectivityTest') {
    return { operation: 'connectivityTest', echoBack: childText(payload, 'echoBack') ?? '' };
  }
  return { operation: 'unknown', name: payload.local, namespace: payload.ns };
}

/** How much of a request {@link readSoapHead} reads: credentials and operation come first, and are short. */
export const SOAP_HEAD_CHARS = 64 * 1024;

export type SoapHead =
  | ({ operation: 'submitSingleMessage' } & Omit<SubmitSingleMessageRequest, 'hl7Message'>)
  | { operation: 'connectivityTest' }
  | { operation: 'unknown'; name: string; namespace: string | undefined };

const CREDENTIALS = ['username', 'password', 'facilityID'] as const;
const ATTRIBUTE = /\s+([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/y;

/**
 * The operation of a SOAP 1.2 request and, for submitSingleMessage, its credentials, read from the first
 * {@link SOAP_HEAD_CHARS} characters in one pass, without building a document: so a server can refuse a caller
 * before the full parse, which for a message of a megabyte costs seconds and hundreds of megabytes. The WSDL's
 * sequence puts username, password and facilityID before hl7Message; reading stops at hl7Message (or the end
 * of the operation's element). Values are read as {@link parseSoapRequest} reads them (first element of each
 * name, its own text, entities and CDATA decoded), so a caller can check the two agree.
 *
 * Undefined when the head does not tell: not a SOAP 1.2 envelope, a DTD, markup cut at the head's end, an
 * undeclared prefix. Not a well-formedness check: the full parse still decides whether the request is XML.
 */
export function readSoapHead(xml: string): SoapHead | undefined {
  const head = xml.slice(0, SOAP_HEAD_CHARS).replace(/^\uFEFF/, '');
  type Open = { ns: string | undefined; local: string; scope: ReadonlyMap<string, string> };
  const stack: Open[] = [];
  const found: Partial<Record<(typeof CREDENTIALS)[number], string>> = {};
  let current: (typeof CREDENTIALS)[number] | undefined; // the credential whose own text is being read
  let text = '';
  const credentials = (): SoapHead => ({
    operation: 'submitSingleMessage',
    username: found.username ?? '',
    password: found.password ?? '',
    facilityID: found.facilityID ?? '',
  });
  let at = 0;
  while (at < head.length) {
    const lt = head.indexOf('<', at);
    const chunk = head.slice(at, lt < 0 ? head.length : lt);
    if (current && stack.length === 4 && chunk) {
      try {
        text += decodeXmlEntities(chunk);
      } catch {
        return undefined;
      }
    }
    if (lt < 0) return undefined;
    let end: number;
    if (head.startsWith('<!--', lt)) {
      end = head.indexOf('-->', lt + 4);
      if (end < 0) return undefined;
      at = end + 3;
      continue;
    }
    if (head.startsWith('<![CDATA[', lt)) {
      end = head.indexOf(']]>', lt + 9);
      if (end < 0) return undefined;
      if (current && stack.length === 4) text += head.slice(lt + 9, end);
      at = end + 3;
      continue;
    }
    if (head.startsWith('<?', lt)) {
      end = head.indexOf('?>', lt + 2);
      if (end < 0) return undefined;
      at = end + 2;
      continue;
    }
    if (head.startsWith('<!', lt)) return undefined; // a DTD: the full parse refuses it
    // A tag: up to the first > outside a quoted attribute value.
    let quote = '';
    end = -1;
    for (let i = lt + 1; i < head.length; i++) {
      const c = head[i]!;
      if (quote) {
        if (c === quote) quote = '';
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '>') {
        end = i;
        break;
      }
    }
    if (end < 0) return undefined;
    const tag = head.slice(lt + 1, end);
    at = end + 1;
    if (tag.startsWith('/')) {
      const closed = stack.pop();
      if (!closed) return undefined;
      if (current && stack.length === 3) {
        found[current] ??= text;
        current = undefined;
      }
      // The operation's element ended (others under the Body answer at their start tag).
      if (stack.length === 2 && stack[1]!.local === 'Body' && stack[1]!.ns === SOAP12_ENV_NS)
        return credentials();
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const name = /^[^\s/>]+/.exec(body)?.[0];
    if (!name) return undefined;
    const parent = stack.at(-1);
    let scope: ReadonlyMap<string, string> = parent?.scope ?? new Map([['xml', XML_NS]]);
    // Attributes one after another (sticky: each is tried where the last ended, so the scan stays linear).
    ATTRIBUTE.lastIndex = name.length;
    for (let m = ATTRIBUTE.exec(body); m; m = ATTRIBUTE.exec(body)) {
      const attr = m[1]!;
      if (attr !== 'xmlns' && !attr.startsWith('xmlns:')) continue;
      if (scope === parent?.scope || stack.length === 0) scope = new Map(scope);
      let value: string;
      try {
        value = decodeXmlEntities(m[2] ?? m[3] ?? '');
      } catch {
        return undefined;
      }
      (scope as Map<string, string>).set(attr === 'xmlns' ? '' : attr.slice(6), value);
    }
    const [prefix, local] = splitQName(name);
    const resolved = scope.get(prefix);
    if (prefix !== '' && resolved === undefined) return undefined;
    const ns = resolved === '' ? undefined : resolved;
    const depth = stack.length;
    if (depth === 0 && (local !== 'Envelope' || ns !== SOAP12_ENV_NS)) return undefined;
    if (depth === 1 && ns === SOAP12_ENV_NS && local === 'Body') {
      // the Body: its first child is the operation
    } else if (depth === 2 && stack[1]!.local === 'Body' && stack[1]!.ns === SOAP12_ENV_NS) {
      if (ns === CDC_IIS_NS && local === 'connectivityTest') return { operation: 'connectivityTest' };
      if (ns !== CDC_IIS_NS || local !== 'submitSingleMessage')
        return { operation: 'unknown', name: local, namespace: ns };
      if (selfClosing) return credentials();
    } else if (
      depth === 3 &&
      stack[1]!.local === 'Body' &&
      stack[1]!.ns === SOAP12_ENV_NS &&
      (ns === CDC_IIS_NS || ns === undefined)
    ) {
      // Under the Body only submitSingleMessage is ever entered: any other operation answered above.
      if (local === 'hl7Message') return credentials();
      const credential = CREDENTIALS.find((c) => c === local);
      if (credential && found[credential] === undefined) {
        if (selfClosing) found[credential] = '';
        else {
          current = credential;
          text = '';
        }
      }
    }
    if (!selfClosing) stack.push({ ns, local, scope });
  }
  return undefined;
}

function resolveQNameText(e: XmlElement): { ns: string | undefined; local: string } {
  const [prefix, local] = splitQName(e.text.trim());
  const ns = e.scope.get(prefix);
  return { ns: ns === '' ? undefined : ns, local };
}

function optionalInt(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*[+-]?\d+\s*$/.test(text)) return undefined;
  return Number.parseInt(text, 10);
}

function isCdcFault(name: string): name is CdcFault {
  return (CDC_FAULTS as readonly string[]).includes(name);
}

function parseFault(faultEl: XmlElement): SoapFaultResult {
  const env = (parent: XmlElement | undefined, local: string) =>
    parent?.children.find((c) => c.ns === SOAP12_ENV_NS && c.local === local);
  const value = env(env(faultEl, 'Code'), 'Value');
  let code = '';
  if (value) {
    const q = resolveQNameText(value);
    code = q.ns === SOAP12_ENV_NS ? q.local : value.text.trim();
  }
  const texts =
    env(faultEl, 'Reason')?.children.filter((c) => c.ns === SOAP12_ENV_NS && c.local === 'Text') ?? [];
  const english = texts.find((t) => (t.attrs['xml:lang'] ?? '').toLowerCase().startsWith('en'));
  const cdcEl = env(faultEl, 'Detail')?.children.find((c) => isCdcFault(c.local));
  const cdcText = (local: string) => cdcEl?.children.find((c) => c.local === local)?.text;
  const reason = (english ?? texts[0])?.text || cdcText('Reason') || '';
  // Matched by local name in any namespace: a registry that answers with its own namespace still means a
  // SecurityFault, and mistaking that for a generic fault would burn every queued message.
  const fault: CdcFault = cdcEl && isCdcFault(cdcEl.local) ? cdcEl.local : 'fault';
  const result: SoapFaultResult = { kind: 'fault', fault, code, reason };
  const detail = cdcText('Detail');
  if (detail) result.detail = detail;
  const size = optionalInt(cdcText('Size'));
  const maxSize = optionalInt(cdcText('MaxSize'));
  if (size !== undefined) result.size = size;
  if (maxSize !== undefined) result.maxSize = maxSize;
  return result;
}

/**
 * Reads a response from the service: the HL7 ACK, the echo, or a fault. Throws {@link SoapParseError} when it
 * is none of these, so a caller never mistakes a proxy's error page for a registry's verdict.
 */
export function parseSoapResponse(xml: string): SoapResponse {
  const payload = soapBody(xml).children[0];
  if (!payload) throw new SoapParseError('unexpected-body', 'SOAP Body is empty');
  if (payload.ns === SOAP12_ENV_NS && payload.local === 'Fault') return parseFault(payload);
  if (payload.ns === CDC_IIS_NS && payload.local === 'submitSingleMessageResponse') {
    return { kind: 'ack', hl7: childText(payload, 'return') ?? '' };
  }
  if (payload.ns === CDC_IIS_NS && payload.local === 'connectivityTestResponse') {
    return { kind: 'echo', text: childText(payload, 'return') ?? '' };
  }
  throw new SoapParseError('unexpected-body', `unexpected SOAP Body element ${describe(payload)}`);
}
