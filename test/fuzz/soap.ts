/**
 * (d) The SOAP web service for EHRs: the envelope parser (shared/codecs/soap/cdc-iis.ts parseSoapRequest, readSoapHead)
 * on its own, and POST /v1/iis on the real handler (functions/doses/soap.ts) with stand-ins, which authenticates
 * the site and takes the VXU inside. Envelopes are built by our encoder around a VXU of the hl7 target's kind
 * (a valid dose with markers, maybe broken), with the site's real key or a wrong one, then broken as XML:
 * entities good, bad and recursive (a DTD "billion laughs"), CDATA, comments and processing instructions, a BOM
 * or another declared encoding, SOAP 1.1, no Body or two, unknown operations, deep nesting, 5,000-character
 * element names, truncation, stray characters, bodies over the 1,000,000-byte limit, other media types.
 *
 * Invariants: soap.no-crash (the parser throws nothing but SoapParseError), soap.no-5xx (no Receiver fault: the
 * handler answers one only when it fails), soap.no-patient-echo (no marker in the answer), soap.echo-cap (a fault
 * repeats no more than 64 characters of anything sent), soap.accepted-encodes (a dose the VXU stored, read back
 * with GET, encodes as VXU, SOAP, CVRS and a results row).
 */
import fc from 'fast-check';
import {
  buildConnectivityTestRequest,
  buildSubmitSingleMessageRequest,
  CDC_IIS_NS,
  parseSoapRequest,
  readSoapHead,
  SOAP11_ENV_NS,
  SOAP12_ENV_NS,
  SoapParseError,
} from '#codecs/soap/cdc-iis.ts';
import type { Dose } from '#doses/fields.ts';
import type { Finding } from '#platform/findings.ts';
import { MAX_ECHO } from '#platform/findings.ts';
import { encodeProblems } from './encode.ts';
import { bump, type FuzzContext, type FuzzTarget, invariant, noCrash } from './harness.ts';
import { type Hl7Input, hl7Input, hl7Text } from './hl7.ts';
import { brief, longText, markerForms, nastyText, overlongWindows } from './shapes.ts';

type XmlMutation =
  | { kind: 'entity'; at: number; text: string }
  | {
      kind:
        | 'bomb'
        | 'cdata'
        | 'soap11'
        | 'no-body'
        | 'two-bodies'
        | 'empty-body'
        | 'unknown-op'
        | 'bom'
        | 'latin1-decl'
        | 'comment'
        | 'unqualified';
    }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'deep'; depth: number }
  | { kind: 'long-name'; length: number }
  | { kind: 'oversize'; bytes: number };

const xmlMutation: fc.Arbitrary<XmlMutation> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('entity' as const),
      at: fc.nat(),
      text: fc.constantFrom(
        '&lt;',
        '&amp;',
        '&#0;',
        '&#x1F;',
        '&#65;',
        '&#x110000;',
        '&#xD800;',
        '&nbsp;',
        '&undefined;',
        '&amp;amp;',
        '&',
        '&#;',
        ']]>',
        '<![CDATA[x]]>',
        '<x/>',
        '</hl7Message>',
      ),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      ...(
        [
          'bomb',
          'cdata',
          'soap11',
          'no-body',
          'two-bodies',
          'empty-body',
          'unknown-op',
          'bom',
          'latin1-decl',
          'comment',
          'unqualified',
        ] as const
      ).map((kind) => ({ kind })),
    ),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: nastyText }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('deep' as const), depth: fc.constantFrom(100, 10_000) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('long-name' as const), length: fc.constantFrom(100, 5_000) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('oversize' as const),
      bytes: fc.constantFrom(20_000, 1_000_001),
    }),
  },
);

export interface SoapInput {
  operation: 'submitSingleMessage' | 'connectivityTest';
  password: 'valid' | 'wrong' | 'empty';
  facility: 'own' | 'empty' | 'other';
  hl7: Hl7Input;
  mutations: XmlMutation[];
  contentType: string | undefined;
}

const soapInput: fc.Arbitrary<SoapInput> = fc.record({
  operation: fc.constantFrom(
    'submitSingleMessage' as const,
    'submitSingleMessage' as const,
    'connectivityTest' as const,
  ),
  password: fc.constantFrom(
    'valid' as const,
    'valid' as const,
    'valid' as const,
    'wrong' as const,
    'empty' as const,
  ),
  facility: fc.constantFrom('own' as const, 'own' as const, 'empty' as const, 'other' as const),
  hl7: hl7Input,
  mutations: fc.oneof(
    { weight: 2, arbitrary: fc.constant<XmlMutation[]>([]) },
    { weight: 3, arbitrary: fc.array(xmlMutation, { minLength: 1, maxLength: 2 }) },
  ),
  contentType: fc.oneof(
    { weight: 10, arbitrary: fc.constant('application/soap+xml; charset=utf-8') },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        undefined,
        'text/xml',
        'application/soap+xml',
        'application/json',
        'APPLICATION/SOAP+XML;action="x"',
        '',
      ),
    },
  ),
});

/** An XML name of `length` characters no answer holds by chance. */
const longName = (length: number) => `n${longText(length, length)}`.replace(/[^A-Za-z0-9]/g, 'q');

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** connectivityTest's text, which the service echoes by design: no marker, but what the mutations insert. */
const echoBack = (input: SoapInput) =>
  `ping ${input.hl7.mutations.map((m) => (m.kind === 'insert' ? m.text : '')).join('')}`;

/** The request body; `site`/`key` are the enrolled site's (placeholders when shown). */
export function envelopeOf(input: SoapInput, id: string, site = 'SITE', key = 'KEY'): string {
  const hl7 = hl7Text(input.hl7, id);
  const password =
    input.password === 'valid' ? key : input.password === 'wrong' ? `${key.slice(0, -2)}xx` : '';
  const facilityID = input.facility === 'own' ? site : input.facility === 'other' ? 'OTHERSITE' : '';
  let xml: string;
  try {
    xml =
      input.operation === 'connectivityTest'
        ? buildConnectivityTestRequest(echoBack(input))
        : buildSubmitSingleMessageRequest({ username: site, password, facilityID, hl7Message: hl7 });
  } catch {
    // Characters XML 1.0 cannot carry: the envelope a careless client would write anyway.
    xml = `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="${SOAP12_ENV_NS}" xmlns:iis="${CDC_IIS_NS}"><soap:Body><iis:submitSingleMessage><iis:username>${site}</iis:username><iis:password>${password}</iis:password><iis:facilityID>${facilityID}</iis:facilityID><iis:hl7Message>${xmlEscape(hl7)}</iis:hl7Message></iis:submitSingleMessage></soap:Body></soap:Envelope>`;
  }
  for (const m of input.mutations) {
    const inside = Math.max(xml.indexOf('<iis:hl7Message>'), 0);
    switch (m.kind) {
      case 'entity':
      case 'insert': {
        // Inside the message most of the time, where the text is read; anywhere otherwise.
        const at = m.at % 3 === 0 ? m.at % (xml.length + 1) : inside + 16 + (m.at % 40);
        xml = xml.slice(0, at) + m.text + xml.slice(at);
        break;
      }
      case 'bomb':
        xml = xml
          .replace(/^<\?xml[^>]*\?>/, '')
          .replace(
            /^/,
            `<!DOCTYPE soap:Envelope [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">]>`,
          )
          .replace('<iis:facilityID>', '<iis:facilityID>&f;');
        break;
      case 'cdata':
        xml = xml.replace(
          /<iis:hl7Message>([\s\S]*)<\/iis:hl7Message>/,
          (_m, t: string) =>
            `<iis:hl7Message><![CDATA[${t.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')}]]></iis:hl7Message>`,
        );
        break;
      case 'soap11':
        xml = xml.replace(SOAP12_ENV_NS, SOAP11_ENV_NS);
        break;
      case 'no-body':
        xml = xml.replace(/<soap:Body>[\s\S]*<\/soap:Body>/, '');
        break;
      case 'two-bodies':
        xml = xml.replace(/(<soap:Body>[\s\S]*<\/soap:Body>)/, '$1$1');
        break;
      case 'empty-body':
        xml = xml.replace(/<soap:Body>[\s\S]*<\/soap:Body>/, '<soap:Body/>');
        break;
      case 'unknown-op':
        xml = xml.replace(/iis:(submitSingleMessage|connectivityTest)\b/g, 'iis:submitBatch');
        break;
      case 'bom':
        xml = `\ufeff${xml}`;
        break;
      case 'latin1-decl':
        xml = xml.replace(/^(<\?xml[^>]*\?>)?/, '<?xml version="1.0" encoding="ISO-8859-1"?>');
        break;
      case 'comment':
        xml = xml.replace('<iis:password>', '<!-- c --><?pi x?><iis:password>');
        break;
      case 'unqualified':
        xml = xml.replace(/<(\/?)iis:(username|password|facilityID|hl7Message)>/g, '<$1$2>');
        break;
      case 'truncate':
        xml = xml.slice(0, m.at % (xml.length + 1));
        break;
      case 'deep':
        xml = xml
          .replace('<soap:Body>', `<soap:Body>${'<x>'.repeat(m.depth)}`)
          .replace('</soap:Body>', `${'</x>'.repeat(m.depth)}</soap:Body>`);
        break;
      case 'long-name': {
        xml = xml.replace(/soap:Envelope/g, `soap:${longName(m.length)}`);
        break;
      }
      case 'oversize':
        xml = xml.replace(
          '</iis:hl7Message>',
          `${'\r'.repeat(Math.max(0, m.bytes - xml.length))}</iis:hl7Message>`,
        );
        break;
    }
  }
  return xml;
}

let unique = 0;

async function check(input: SoapInput, ctx: FuzzContext): Promise<void> {
  const p = ctx.pipeline!;
  const id = `FZS-${process.pid}-${++unique}`;
  const xml = envelopeOf(input, id, p.site.iis_id, p.site.api_key);

  // The parser alone: a request or SoapParseError, nothing else.
  await noCrash(ctx, 'soap.no-crash', () => {
    readSoapHead(xml);
    try {
      parseSoapRequest(xml);
    } catch (err) {
      if (!(err instanceof SoapParseError)) throw err;
    }
  });

  const res = await p.call('soapIntake', {
    method: 'POST',
    path: '/v1/iis',
    routeKey: 'POST /v1/iis',
    headers: input.contentType === undefined ? {} : { 'content-type': input.contentType },
    body: xml,
  });
  bump(ctx, `http_${res.status}`);
  invariant(ctx, 'soap.no-5xx', res.status < 500, () => `answered ${res.status}: ${res.body.slice(0, 400)}`);
  const answer = res.body.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  for (const [field, value] of Object.entries(input.hl7.markers))
    for (const form of markerForms(value))
      invariant(
        ctx,
        'soap.no-patient-echo',
        !answer.includes(form),
        () => `${field} ${brief(value)} echoed as ${brief(form)}: ${brief(answer, 400)}`,
      );
  if (res.status !== 200) {
    // What the client wrote (the XML's own markup is boilerplate any fault repeats).
    const sent = [
      ...Object.values(input.hl7.fields).filter((v): v is string => typeof v === 'string'),
      ...hl7Text(input.hl7, id).split('\r'),
      ...input.mutations.flatMap((m) =>
        m.kind === 'insert' ? [m.text] : m.kind === 'long-name' ? [longName(m.length)] : [],
      ),
    ];
    for (const s of sent)
      for (const w of overlongWindows(s, MAX_ECHO))
        invariant(
          ctx,
          'soap.echo-cap',
          !answer.includes(w),
          () => `a ${res.status} fault repeats ${[...w].length}+ characters sent: ${brief(w)}`,
        );
  }
  if (res.status === 200 && input.operation === 'submitSingleMessage' && /MSA\|A[AE]\|/.test(answer)) {
    const got = await p.call('doses', {
      method: 'GET',
      path: `/v1/doses/${id}`,
      routeKey: 'GET /v1/doses/{vax_event_id}',
      pathParameters: { vax_event_id: id },
      auth: { role: 'site', iis_id: p.site.iis_id },
    });
    if (got.status === 200) {
      bump(ctx, 'stored');
      const stored = JSON.parse(got.body) as { dose: Dose; issues: Finding[] };
      const problems = encodeProblems(stored.dose, stored.issues);
      invariant(
        ctx,
        'soap.accepted-encodes',
        problems.length === 0,
        () => `stored dose ${brief(stored.dose)} does not encode: ${problems.join('; ')}`,
      );
    }
  }
}

export const soapTarget: FuzzTarget<SoapInput> = {
  name: 'soap',
  covers:
    'parseSoapRequest/readSoapHead (shared/soap), POST /v1/iis on functions/doses/soap.ts (size, media type, authentication, receiveVxu, ACK in the response) with stand-ins; stored doses read back and encoded',
  pipeline: true,
  arbitrary: soapInput,
  check,
  show: (input) => `${brief(input, 1000)}\n  envelope: ${brief(envelopeOf(input, 'FZS-X'), 2000)}`,
};
