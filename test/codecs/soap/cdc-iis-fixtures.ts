import { expect } from 'vitest';
import { SOAP12_ENV_NS, SoapParseError } from '#codecs/soap/cdc-iis.ts';

// Shared by the cdc-iis-*.test.ts files: the SOAP codec for the CDC IIS WSDL (2011), by topic.

// A VXU with everything that breaks naive XML handling: `&` in MSH-2, `<` and `]]>` in data, CR separators.
export const VXU = [
  'MSH|^~\\&|MYEHR|SITE1|CAIR IIS|CAIRBA|20240105120000||VXU^V04^VXU_V04|MSG0001|P|2.5.1|||ER|AL|||||Z22^CDCPHINVS|SITE1',
  'PID|1||PT123^^^SITE1^MR||O<Brien&Sons]]>^Pat^Q||20000101|F',
  'ORC|RE||197023^SITE1',
  'RXA|0|1|20240105||208^COVID-19 mRNA^CVX|0.3|mL^mL^UCUM||00^New^NIP001||||||EW0150||PFR^Pfizer^MVX|||CP|A',
].join('\r');

export const ACK =
  'MSH|^~\\&|CAIR IIS|CAIRBA|MYEHR|SITE1|20240105120001||ACK^V04^ACK|ACK0001|P|2.5.1\rMSA|AE|MSG0001\rERR||RXA^1^15|103^Table value not found^HL70357|W||||Lot <unknown> & odd\r';

export const request = { username: 'site1', password: 'p&ss<word>]]>', facilityID: 'SITE1', hl7Message: VXU };

export function expectParseError(fn: () => unknown, kind: SoapParseError['kind']): SoapParseError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SoapParseError);
    expect((e as SoapParseError).kind).toBe(kind);
    return e as SoapParseError;
  }
  throw new Error('expected a SoapParseError');
}

export const env = (body: string, extraNs = '') =>
  `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="${SOAP12_ENV_NS}"${extraNs}><s:Body>${body}</s:Body></s:Envelope>`;
