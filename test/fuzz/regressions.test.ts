/**
 * Defects the fuzz targets found in code nobody else owns, fixed with the counterexample kept here.
 */
import { describe, expect, it } from 'vitest';
import { receiveVxu } from '../../shared/intake/vxu-intake.ts';
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
});
