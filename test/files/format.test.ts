import { describe, expect, it } from 'vitest';
import { readHeader, rowToInput, sniff } from '#files/format.ts';
import { doseFile } from '../fixtures/files.ts';

describe('format recognition', () => {
  it('recognizes CVRS and CSV by content, tolerates a BOM, and refuses empty, binary and headerless files', () => {
    expect(sniff(Buffer.from('vax_event_id\tcvx\n1\t207\n'))).toEqual({ format: 'cvrs' });
    expect(sniff(Buffer.from('\uFEFFvax_event_id,cvx\n'))).toEqual({ format: 'csv' });
    expect(sniff(Buffer.from(''))).toMatchObject({ problem: { code: 'FILE002' } });
    expect(sniff(Buffer.from('\uFEFF  \n'))).toMatchObject({ problem: { code: 'FILE002' } });
    expect(sniff(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x01]))).toMatchObject({
      problem: { code: 'FILE003' },
    });
    expect(sniff(Buffer.from('hello world\n'))).toMatchObject({ problem: { code: 'FILE005' } });
  });

  it('names the required columns a header lacks, and reports extra columns without failing', () => {
    const missing = readHeader(['vax_event_id', 'recip_id', 'recip_first_name'], 'cvrs');
    expect(missing).toMatchObject({ problem: { code: 'FILE006' } });
    expect((missing as { problem: { message: string } }).problem.message).toMatch(/admin_date.*cvx/);
    const cols = doseFile([]).split('\n')[0]!.split('\t');
    const ok = readHeader([...cols, 'Clinic Notes'], 'cvrs');
    expect(ok).toMatchObject({ format: 'cvrs', notes: [{ code: 'FILE008', severity: 'warning' }] });
  });

  it('maps columns in any order and flags short rows', () => {
    const header = readHeader(
      [
        'cvx',
        'vax_event_id',
        'junk',
        'recip_id',
        'admin_date',
        'recip_dob',
        'recip_first_name',
        'recip_last_name',
        'recip_sex',
        'recip_race_1',
        'recip_ethnicity',
        'dose_num',
        'vax_series_complete',
        'vax_refusal',
        'cmorbid_status',
        'serology',
      ],
      'csv',
    );
    if ('problem' in header) throw new Error(header.problem.message);
    expect(rowToInput(['207', 'E1', 'x', 'R1'], header)).toMatchObject({
      input: { cvx: '207', vax_event_id: 'E1', recip_id: 'R1' },
      findings: [{ code: 'DATA005', field: 'row' }],
    });
  });
});
