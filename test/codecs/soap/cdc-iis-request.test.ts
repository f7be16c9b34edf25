import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildConnectivityTestRequest,
  buildConnectivityTestResponse,
  buildFault,
  buildSubmitSingleMessageRequest,
  buildSubmitSingleMessageResponse,
  CDC_FAULTS,
  CDC_IIS_NS,
  defaultFaultCode,
  escapeXmlText,
  faultHttpStatus,
  parseSoapRequest,
  parseSoapResponse,
  SOAP11_ENV_NS,
  SOAP12_ENV_NS,
  SoapEncodingError,
  SoapParseError,
  soapContentType,
} from '#codecs/soap/cdc-iis.ts';

// A VXU with everything that breaks naive XML handling: `&` in MSH-2, `<` and `]]>` in data, CR separators.
const VXU = [
  'MSH|^~\\&|MYEHR|SITE1|CAIR IIS|CAIRBA|20240105120000||VXU^V04^VXU_V04|MSG0001|P|2.5.1|||ER|AL|||||Z22^CDCPHINVS|SITE1',
  'PID|1||PT123^^^SITE1^MR||O<Brien&Sons]]>^Pat^Q||20000101|F',
  'ORC|RE||197023^SITE1',
  'RXA|0|1|20240105||208^COVID-19 mRNA^CVX|0.3|mL^mL^UCUM||00^New^NIP001||||||EW0150||PFR^Pfizer^MVX|||CP|A',
].join('\r');

const ACK =
  'MSH|^~\\&|CAIR IIS|CAIRBA|MYEHR|SITE1|20240105120001||ACK^V04^ACK|ACK0001|P|2.5.1\rMSA|AE|MSG0001\rERR||RXA^1^15|103^Table value not found^HL70357|W||||Lot <unknown> & odd\r';

const request = { username: 'site1', password: 'p&ss<word>]]>', facilityID: 'SITE1', hl7Message: VXU };

function expectParseError(fn: () => unknown, kind: SoapParseError['kind']): SoapParseError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SoapParseError);
    expect((e as SoapParseError).kind).toBe(kind);
    return e as SoapParseError;
  }
  throw new Error('expected a SoapParseError');
}

const env = (body: string, extraNs = '') =>
  `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="${SOAP12_ENV_NS}"${extraNs}><s:Body>${body}</s:Body></s:Envelope>`;

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

describe('parseSoapRequest: what it refuses', () => {
  it('names an operation the WSDL does not have, including the 2014 wrapper', () => {
    // Prepare
    const xml = env(
      '<SubmitSingleMessageRequest xmlns="urn:cdc:iisb:2014"><Hl7Message>x</Hl7Message></SubmitSingleMessageRequest>',
    );

    // Act
    const parsed = parseSoapRequest(xml);

    // Assess
    expect(parsed).toEqual({
      operation: 'unknown',
      name: 'SubmitSingleMessageRequest',
      namespace: 'urn:cdc:iisb:2014',
    });
  });

  it('does not take submitSingleMessage from another namespace', () => {
    // Act
    const parsed = parseSoapRequest(
      env('<submitSingleMessage><hl7Message>x</hl7Message></submitSingleMessage>'),
    );

    // Assess
    expect(parsed).toEqual({ operation: 'unknown', name: 'submitSingleMessage', namespace: undefined });
  });

  it.each([
    ['not XML at all', 'MSH|^~\\&|not xml'],
    ['unclosed tags', `<s:Envelope xmlns:s="${SOAP12_ENV_NS}"><s:Body>`],
    [
      'an undeclared entity',
      env(`<i:connectivityTest xmlns:i="${CDC_IIS_NS}"><i:echoBack>&nbsp;</i:echoBack></i:connectivityTest>`),
    ],
    [
      'a reference to a non-XML character',
      env(`<i:connectivityTest xmlns:i="${CDC_IIS_NS}"><i:echoBack>&#1;</i:echoBack></i:connectivityTest>`),
    ],
    ['an undeclared prefix', env('<q:connectivityTest/>')],
    [
      'a DTD',
      `<!DOCTYPE x [<!ENTITY big "aaaa">]><s:Envelope xmlns:s="${SOAP12_ENV_NS}"><s:Body/></s:Envelope>`,
    ],
  ])('throws malformed-xml for %s', (_label, xml) => {
    expectParseError(() => parseSoapRequest(xml), 'malformed-xml');
  });

  it('keeps document text out of the error message', () => {
    // Act
    const err = expectParseError(() => parseSoapRequest('<a><PATIENTNAME></a>'), 'malformed-xml');

    // Assess
    expect(err.message).not.toContain('PATIENTNAME');
  });

  it('throws version-mismatch for a SOAP 1.1 envelope', () => {
    expectParseError(
      () => parseSoapRequest(`<e:Envelope xmlns:e="${SOAP11_ENV_NS}"><e:Body/></e:Envelope>`),
      'version-mismatch',
    );
  });

  it.each([
    ['XML that is not an envelope', '<html><body>Bad gateway</body></html>'],
    ['an Envelope in no namespace', '<Envelope><Body/></Envelope>'],
    ['an envelope without a Body', `<s:Envelope xmlns:s="${SOAP12_ENV_NS}"><s:Header/></s:Envelope>`],
    ['an empty Body', env('')],
  ])('throws not-soap for %s', (_label, xml) => {
    expectParseError(() => parseSoapRequest(xml), 'not-soap');
  });
});

describe('submitSingleMessage response', () => {
  it('round-trips an ACK with ERR text holding < and &', () => {
    // Act
    const parsed = parseSoapResponse(buildSubmitSingleMessageResponse(ACK));

    // Assess
    expect(parsed).toEqual({ kind: 'ack', hl7: ACK });
  });

  it('reads the response shape of a Java registry (ns2 prefix, hex CR references)', () => {
    // Prepare
    const xml =
      `<?xml version='1.0' encoding='UTF-8'?><soapenv:Envelope xmlns:soapenv="${SOAP12_ENV_NS}"><soapenv:Body>` +
      `<ns2:submitSingleMessageResponse xmlns:ns2="${CDC_IIS_NS}"><ns2:return>MSH|^~\\&amp;|CAIR IIS&#xd;MSA|AA|MSG0001&#xd;</ns2:return>` +
      '</ns2:submitSingleMessageResponse></soapenv:Body></soapenv:Envelope>';

    // Act
    const parsed = parseSoapResponse(xml);

    // Assess
    expect(parsed).toEqual({ kind: 'ack', hl7: 'MSH|^~\\&|CAIR IIS\rMSA|AA|MSG0001\r' });
  });

  it('throws unexpected-body for a body element the WSDL does not define as a response', () => {
    expectParseError(() => parseSoapResponse(buildSubmitSingleMessageRequest(request)), 'unexpected-body');
  });
});

describe('faults', () => {
  it.each(CDC_FAULTS)('round-trips %s with its SOAP 1.2 code, reason and detail', (fault) => {
    // Act
    const xml = buildFault(fault, 'Reason with <markup> & more', 'Detail & <more>');
    const parsed = parseSoapResponse(xml);

    // Assess
    expect(parsed).toEqual({
      kind: 'fault',
      fault,
      code: defaultFaultCode(fault),
      reason: 'Reason with <markup> & more',
      detail: 'Detail & <more>',
    });
  });

  it('writes a SOAP 1.2 Fault: Code/Value, Reason/Text with xml:lang, and the CDC element in Detail', () => {
    // Act
    const xml = buildFault('SecurityFault', 'Invalid username or password');

    // Assess
    expect(xml).toContain('<soap:Fault><soap:Code><soap:Value>soap:Sender</soap:Value></soap:Code>');
    expect(xml).toContain(
      '<soap:Reason><soap:Text xml:lang="en">Invalid username or password</soap:Text></soap:Reason>',
    );
    expect(xml).toContain(
      '<soap:Detail><iis:SecurityFault><iis:Reason>Security</iis:Reason></iis:SecurityFault></soap:Detail>',
    );
  });

  it('carries Size and MaxSize of a MessageTooLargeFault', () => {
    // Act
    const parsed = parseSoapResponse(
      buildFault('MessageTooLargeFault', 'Message too large', {
        detail: 'limit 1 MB',
        size: 2_000_000,
        maxSize: 1_048_576,
      }),
    );

    // Assess
    expect(parsed).toEqual({
      kind: 'fault',
      fault: 'MessageTooLargeFault',
      code: 'Sender',
      reason: 'Message too large',
      detail: 'limit 1 MB',
      size: 2_000_000,
      maxSize: 1_048_576,
    });
  });

  it('lets the caller choose the env:Code, and maps codes to HTTP status', () => {
    // Act
    const parsed = parseSoapResponse(buildFault('fault', 'Malformed request', { code: 'Sender' }));

    // Assess
    expect(parsed).toMatchObject({ fault: 'fault', code: 'Sender' });
    expect(faultHttpStatus('Sender')).toBe(400);
    expect(faultHttpStatus('Receiver')).toBe(500);
    expect(faultHttpStatus('VersionMismatch')).toBe(500);
  });

  it('reads a fault written by another stack: Subcode, several Reason texts, CDC element under another prefix', () => {
    // Prepare
    const xml =
      `<S:Envelope xmlns:S="${SOAP12_ENV_NS}"><S:Body><S:Fault>` +
      '<S:Code><S:Value>S:Sender</S:Value><S:Subcode><S:Value xmlns:x="urn:x">x:Auth</S:Value></S:Subcode></S:Code>' +
      '<S:Reason><S:Text xml:lang="es">Credenciales no válidas</S:Text><S:Text xml:lang="en-US">Bad credentials</S:Text></S:Reason>' +
      `<S:Detail><f:SecurityFault xmlns:f="${CDC_IIS_NS}"><f:Code>10</f:Code><f:Reason>Security</f:Reason><f:Detail>user locked</f:Detail></f:SecurityFault></S:Detail>` +
      '</S:Fault></S:Body></S:Envelope>';

    // Act
    const parsed = parseSoapResponse(xml);

    // Assess
    expect(parsed).toEqual({
      kind: 'fault',
      fault: 'SecurityFault',
      code: 'Sender',
      reason: 'Bad credentials',
      detail: 'user locked',
    });
  });

  it('reads a fault without a CDC element as the generic fault', () => {
    // Prepare
    const xml = env(
      `<s:Fault><s:Code><s:Value>s:Receiver</s:Value></s:Code><s:Reason><s:Text xml:lang="en">NullPointerException</s:Text></s:Reason></s:Fault>`,
    );

    // Act
    const parsed = parseSoapResponse(xml);

    // Assess
    expect(parsed).toEqual({
      kind: 'fault',
      fault: 'fault',
      code: 'Receiver',
      reason: 'NullPointerException',
    });
  });
});

describe('soapContentType', () => {
  it('puts the WSDL soapAction in the SOAP 1.2 action parameter', () => {
    expect(soapContentType('submitSingleMessage')).toBe(
      'application/soap+xml; charset=utf-8; action="urn:cdc:iisb:2011:submitSingleMessage"',
    );
    expect(soapContentType('connectivityTest')).toBe(
      'application/soap+xml; charset=utf-8; action="urn:cdc:iisb:2011:connectivityTest"',
    );
  });
});
