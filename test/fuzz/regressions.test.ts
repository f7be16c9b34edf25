/**
 * Defects the fuzz targets found in code nobody else owns, fixed with the counterexample kept here.
 */
import { describe, expect, it } from 'vitest';
import { errSegment } from '#codecs/hl7/errors.ts';
import { formatSegment, hl7Error } from '#codecs/hl7/index.ts';
import {
  buildFault,
  buildSubmitSingleMessageRequest,
  buildSubmitSingleMessageResponse,
  parseSoapRequest,
  SoapParseError,
} from '#codecs/soap/cdc-iis.ts';
import { receiveVxu } from '#doses/vxu-intake.ts';
import { hl7Text } from './hl7.ts';
import { capturing, FUZZ_SITE } from './intake-deps.ts';

describe('fuzz regressions', () => {
  it('hl7.no-patient-echo: a VXU whose MSH-1 separator never recurs is refused without quoting the message', async () => {
    // Found by the hl7 target: segment separators dropped and MSH-1 changed to "J", so MSH-2 ran to the end of
    // the message and the ERR text (ACK ERR-8) repeated all of it: names, date of birth, address.
    const text = hl7Text(
      {
        fields: { recip_first_name: 'Qzfirstname', recip_dob: '1939-12-31' },
        markers: {},
        action: 'A',
        mutations: [
          { kind: 'separator', sep: '' },
          { kind: 'encoding', chars: 'J' },
        ],
      },
      'FZ-REG-1',
    );
    const out = await receiveVxu(text, { role: 'site', iis_id: FUZZ_SITE }, new Date(), capturing().deps);
    expect(out.ackCode).toBe('AR');
    const said = out.errors.map((e) => e.text).join('\n') + out.ack;
    expect(said).not.toContain('Qzfirstname');
    expect(said).not.toContain('19391231');
    expect(out.errors[0]!.text).toMatch(
      /^MSH-2 must hold 4 encoding characters, found \d+ \("\|\|CAIRDE…"\)\.$/,
    );
  });

  it.each([
    ['MSH-10 (echoed in MSA-2)', (t: string) => t.replace('M-FZ-REG-2', 'M-FZ-REG-2\ud800')],
    ['RXA-5 NDC (quoted in a 102 warning)', (t: string) => t.replace('^80777-0273-10^', '^\u0000\ud800^')],
    ['MSH-11 (quoted in the 202 error)', (t: string) => t.replace('|P|2.5.1', '|\ud800\u0001|2.5.1')],
    ["MSH-12 near ERR-8's cut", (t: string) => t.replace('|2.5.1|', `|${'x'.repeat(204)}\u{1f489}|`)],
    [
      "MSH-3 (echoed in the ACK's MSH-5)",
      (t: string) => t.replace(/^MSH\|\^~\\&\|[^|]*/, 'MSH|^~\\&|E\udc00\u0000'),
    ],
  ])(
    'hl7.ack-encodes: a lone surrogate or control in %s still gets an ACK SOAP can carry',
    async (_name, edit) => {
      // Found by the soap target: the ACK echoed a lone surrogate, its SOAP response failed to encode and the
      // service answered 500 "The acknowledgement could not be encoded".
      const text = edit(hl7Text({ fields: {}, markers: {}, action: 'A', mutations: [] }, 'FZ-REG-2'));
      const out = await receiveVxu(text, { role: 'site', iis_id: FUZZ_SITE }, new Date(), capturing().deps);
      expect(out.ack.isWellFormed()).toBe(true);
      expect(() => buildSubmitSingleMessageResponse(out.ack)).not.toThrow();
    },
  );

  it.each([
    [
      'a NUL in the envelope namespace',
      (x: string) => x.replace('"http://www.w3.org/2003', '"\u0000http://www.w3.org/2003'),
    ],
    [
      'a lone surrogate in an unknown Body element',
      (x: string) => x.replace(/iis:submitSingleMessage\b/g, 'iis:s\ud800'),
    ],
    [
      'a 5,000-character entity name',
      (x: string) => x.replace('<iis:facilityID>', `<iis:facilityID>&${'e'.repeat(5000)};`),
    ],
  ])('soap.no-5xx: a parse error about %s gives a fault SOAP can carry', (_name, edit) => {
    // Found by the soap target: the fault quoted the namespace with its NUL, could not be encoded, and the
    // service answered 500 "could not be processed now".
    const xml = edit(
      buildSubmitSingleMessageRequest({
        username: 'S',
        password: 'K',
        facilityID: 'S',
        hl7Message: 'MSH|^~\\&|',
      }),
    );
    let error: unknown;
    try {
      parseSoapRequest(xml);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SoapParseError);
    const message = (error as Error).message;
    expect(message.length).toBeLessThan(300);
    expect(() => buildFault('fault', message, { code: 'Sender' })).not.toThrow();
  });

  it('hl7.ack-encodes: ERR-8 is cut at 250 characters between characters, never inside a surrogate pair', () => {
    for (let at = 240; at < 252; at++) {
      const text = `${'x'.repeat(at)}\u{1f489}${'y'.repeat(20)}`;
      const err = formatSegment(errSegment(hl7Error('MSH^1', '207', 'E', text)));
      expect(err.isWellFormed(), `emoji at ${at}`).toBe(true);
    }
  });
});
