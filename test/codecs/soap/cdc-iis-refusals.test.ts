import { describe, expect, it } from 'vitest';
import { CDC_IIS_NS, parseSoapRequest, SOAP11_ENV_NS, SOAP12_ENV_NS } from '#codecs/soap/cdc-iis.ts';
import { env, expectParseError } from './cdc-iis-fixtures.ts';

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
