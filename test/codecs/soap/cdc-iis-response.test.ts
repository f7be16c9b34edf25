import { describe, expect, it } from 'vitest';
import {
  buildFault,
  buildSubmitSingleMessageRequest,
  buildSubmitSingleMessageResponse,
  CDC_FAULTS,
  CDC_IIS_NS,
  defaultFaultCode,
  faultHttpStatus,
  parseSoapResponse,
  SOAP12_ENV_NS,
  soapContentType,
} from '#codecs/soap/cdc-iis.ts';
import { ACK, env, expectParseError, request } from './cdc-iis-fixtures.ts';

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
