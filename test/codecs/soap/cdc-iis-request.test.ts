import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildConnectivityTestRequest,
  buildConnectivityTestResponse,
  buildSubmitSingleMessageRequest,
  CDC_IIS_NS,
  escapeXmlText,
  parseSoapRequest,
  parseSoapResponse,
  SOAP12_ENV_NS,
  SoapEncodingError,
} from '#codecs/soap/cdc-iis.ts';
import { env, request } from './cdc-iis-fixtures.ts';

// Every character XML 1.0 can carry, weighted towards the ones escaping must get right.
const xmlChar = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom('&', '<', '>', ']', '\r', '\n', '\t', ' ', '"', "'", '|', '^', '~', '\\'),
  },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
);
const xmlText = fc.string({ unit: xmlChar, maxLength: 60 }).filter(
  (s) =>
    s.isWellFormed() &&
    [...s].every((ch) => {
      const c = ch.codePointAt(0)!;
      return c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c !== 0xfffe && c !== 0xffff);
    }),
);

describe('submitSingleMessage request', () => {
  it('round-trips a VXU with &, <, ]]> and CR separators, and the credentials', () => {
    // Act
    const parsed = parseSoapRequest(buildSubmitSingleMessageRequest(request));

    // Assess
    expect(parsed).toEqual({ operation: 'submitSingleMessage', ...request });
  });

  it('uses the 2011 WSDL names: wrapper submitSingleMessage, qualified children, SOAP 1.2 envelope', () => {
    // Act
    const xml = buildSubmitSingleMessageRequest(request);

    // Assess
    expect(xml).toContain(`xmlns:soap="${SOAP12_ENV_NS}"`);
    expect(xml).toContain(`xmlns:iis="${CDC_IIS_NS}"`);
    expect(xml).toMatch(
      /<soap:Body><iis:submitSingleMessage><iis:username>.*<\/iis:username><iis:password>.*<\/iis:password><iis:facilityID>SITE1<\/iis:facilityID><iis:hl7Message>/,
    );
  });

  it('writes CR as &#13; so a conforming XML parser cannot turn segment separators into LF', () => {
    // Act
    const xml = buildSubmitSingleMessageRequest(request);

    // Assess
    expect(xml).not.toContain('\r');
    expect(xml.match(/&#13;/g)).toHaveLength(3);
    expect(xml).not.toContain(']]>');
    expect(xml).toContain('MSH|^~\\&amp;|');
    expect(xml).toContain('O&lt;Brien&amp;Sons]]&gt;');
  });

  it('round-trips any XML text in every field (property)', () => {
    fc.assert(
      fc.property(xmlText, xmlText, xmlText, xmlText, (username, password, facilityID, hl7Message) => {
        // Prepare
        const req = { username, password, facilityID, hl7Message };

        // Act
        const parsed = parseSoapRequest(buildSubmitSingleMessageRequest(req));

        // Assess
        expect(parsed).toEqual({ operation: 'submitSingleMessage', ...req });
      }),
      { numRuns: 300 },
    );
  });

  it('accepts CR sent raw, as &#13;, as &#xD; and CRLF, keeping each as sent', () => {
    // Prepare: what hand-built clients send.
    const xml = env(
      `<submitSingleMessage xmlns="${CDC_IIS_NS}"><username>u</username><password>p</password>` +
        '<facilityID>F</facilityID><hl7Message>MSH|a\rPID|b&#13;ORC|c&#xD;RXA|d\r\nRXR|e\r</hl7Message></submitSingleMessage>',
    );

    // Act
    const parsed = parseSoapRequest(xml);

    // Assess
    expect(parsed).toMatchObject({ hl7Message: 'MSH|a\rPID|b\rORC|c\rRXA|d\r\nRXR|e\r' });
  });

  it('accepts the HL7 message in CDATA, raw CRs and all', () => {
    // Prepare
    const xml = env(
      `<i:submitSingleMessage xmlns:i="${CDC_IIS_NS}"><i:hl7Message><![CDATA[MSH|^~\\&|X\rPID|a<b&amp;]]></i:hl7Message></i:submitSingleMessage>`,
    );

    // Act
    const parsed = parseSoapRequest(xml);

    // Assess: CDATA is literal, so &amp; stays five characters.
    expect(parsed).toEqual({
      operation: 'submitSingleMessage',
      username: '',
      password: '',
      facilityID: '',
      hl7Message: 'MSH|^~\\&|X\rPID|a<b&amp;',
    });
  });

  it('reads unqualified children, any prefix, a BOM, CRLF line ends and a SOAP header', () => {
    // Prepare: the shape a Windows client with WS-Addressing produces.
    const xml =
      '\uFEFF<?xml version="1.0" encoding="utf-8"?>\r\n' +
      `<env:Envelope\r\n  xmlns:env="${SOAP12_ENV_NS}"\r\n  xmlns:a="http://www.w3.org/2005/08/addressing">\r\n` +
      '  <env:Header><a:Action env:mustUnderstand="1">urn:cdc:iisb:2011:submitSingleMessage</a:Action></env:Header>\r\n' +
      `  <env:Body>\r\n    <x:submitSingleMessage xmlns:x="${CDC_IIS_NS}">\r\n` +
      '      <username>u</username>\r\n      <password>pw</password>\r\n      <facilityID>F</facilityID>\r\n' +
      '      <hl7Message>MSH|1</hl7Message>\r\n    </x:submitSingleMessage>\r\n  </env:Body>\r\n</env:Envelope>\r\n';

    // Act
    const parsed = parseSoapRequest(xml);

    // Assess
    expect(parsed).toEqual({
      operation: 'submitSingleMessage',
      username: 'u',
      password: 'pw',
      facilityID: 'F',
      hl7Message: 'MSH|1',
    });
  });

  it('keeps leading and trailing spaces and does not turn digits into numbers', () => {
    // Prepare
    const xml = buildSubmitSingleMessageRequest({
      username: ' 007 ',
      password: '1e3',
      facilityID: '0012',
      hl7Message: '',
    });

    // Act
    const parsed = parseSoapRequest(xml);

    // Assess
    expect(parsed).toEqual({
      operation: 'submitSingleMessage',
      username: ' 007 ',
      password: '1e3',
      facilityID: '0012',
      hl7Message: '',
    });
  });

  it('refuses text XML cannot carry, without quoting it', () => {
    // Act
    const build = () => buildSubmitSingleMessageRequest({ ...request, hl7Message: 'PID|SECRETNAME\u0001|' });

    // Assess
    expect(build).toThrow(SoapEncodingError);
    expect(build).toThrow(/hl7Message: U\+0001 at offset 14/);
    expect(build).not.toThrow(/SECRETNAME/);
    expect(() => escapeXmlText('a\uD800b')).toThrow(SoapEncodingError);
  });
});

describe('connectivityTest', () => {
  it('round-trips the request and the response', () => {
    // Act
    const req = parseSoapRequest(buildConnectivityTestRequest('ping & <pong>\r'));
    const res = parseSoapResponse(buildConnectivityTestResponse('ping & <pong>\r'));

    // Assess
    expect(req).toEqual({ operation: 'connectivityTest', echoBack: 'ping & <pong>\r' });
    expect(res).toEqual({ kind: 'echo', text: 'ping & <pong>\r' });
  });
});
