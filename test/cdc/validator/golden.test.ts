/**
 * Our reports against CDC's own baselines (test/fixtures/cdc-validator, from CDC's extract-validator), compared
 * the way CDC's TestCommandLine compares them: after masking "tomorrow (date)", with the file named as CDC's test
 * names it. Here the comparison is stricter than CDC's (which folds line ends): every byte, CRLF included, and
 * then line by line so a failure points at the line.
 *
 * Not compared: testdefault.txt.rpt is not a report (CVRS rows from converting testdefault.hl7 with -d, see
 * TestCommandLine's testConversion) and .hl7 reports belong to the HL7 mapping's tests.
 */
import { describe, expect, it } from 'vitest';
import {
  formatJsonReport,
  formatTextReport,
  validateCvrsStream,
  validateCvrsText,
} from '#cdc/validator/index.ts';
import { fixtureBytes, maskTomorrow, TODAY } from './helpers.ts';

const cdcName = (name: string) => `src/test/resources/${name}`;

// CDC's TestCommandLine: file and the error count Validator.main1 returns for it.
const BASELINES: [string, number][] = [
  ['testgood.txt', 0],
  ['testerror.txt', 176],
  ['testMissingHeaders.txt', 1],
  ['notacvrs.txt', 21],
  ['empty.txt', 0],
];

describe("CDC's text report baselines", () => {
  it.each(BASELINES)('%s: the same report, byte for byte, and CDC error count %i', (name, errors) => {
    const result = validateCvrsText(fixtureBytes(name), { today: TODAY });
    const ours = maskTomorrow(formatTextReport(cdcName(name), result));
    const cdc = maskTomorrow(fixtureBytes(`${name}.rpt`).toString('utf8'));
    expect(ours.split('\r\n')).toEqual(cdc.split('\r\n'));
    expect(ours).toBe(cdc);
    expect(result.cdcErrorCount).toBe(errors);
  });

  it('testdefault.txt.rpt is CVRS rows, not a validation report, so it is not a baseline', () => {
    const text = fixtureBytes('testdefault.txt.rpt').toString('utf8');
    expect(text.startsWith('vax_event_id\text_type\t')).toBe(true);
    expect(text).not.toContain('Validating ');
  });
});

describe("CDC's JSON report baseline", () => {
  it('testerror.txt: the same JSON, byte for byte (Glassfish pretty printing, LF, leading newline)', () => {
    const result = validateCvrsText(fixtureBytes('testerror.txt'), { today: TODAY });
    const ours = maskTomorrow(formatJsonReport(cdcName('testerror.txt'), result));
    const cdc = maskTomorrow(fixtureBytes('testerror.txt.rpt.json').toString('utf8'));
    expect(ours.split('\n')).toEqual(cdc.split('\n'));
    expect(ours).toBe(cdc);
    expect(JSON.parse(ours)).toMatchObject({ totalErrors: 176, failedRecords: 52, totalRecords: 52 });
  });

  it('a file without records has an empty detail array, written as Glassfish does', () => {
    const json = formatJsonReport('empty.txt', validateCvrsText('', { today: TODAY }));
    expect(json).toContain('    "detail": [\n    ],\n');
    expect(JSON.parse(json).summary[0]).toEqual({
      code: 'FMT_003',
      field: 'Header',
      count: 1,
      description: 'There is an error in the file format.',
      examples: [{ line: -1, vax_event_id: '', message: 'File is not a CVRS' }],
    });
  });
});

describe('streaming gives the same result as the whole text', () => {
  async function* chunks(bytes: Buffer, size: number) {
    for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
  }

  it.each(BASELINES.map(([n]) => n))('%s in chunks of 1, 7 and 4096 bytes', async (name) => {
    const bytes = fixtureBytes(name);
    const whole = validateCvrsText(bytes, { today: TODAY });
    for (const size of [1, 7, 4096]) {
      const streamed = await validateCvrsStream(chunks(bytes, size), { today: TODAY });
      expect(streamed).toEqual(whole);
    }
  });
});
