import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { headerKind, readHeader, sniff } from '#files/format.ts';
import { scanFile } from '#files/plan.ts';
import { resultHeader, resultRows } from '#files/results.ts';
import { validateFile } from '#files/validate-file.ts';
import { addDays, localDate } from '#platform/dates.ts';
import { doseFile } from '../fixtures/files.ts';

const WASTAGE = ['record_id', 'ndc', 'lot_number', 'doses', 'date', 'reason', 'reason_text'];
const NDC = '80777-0273-10';
const stream = (text: string) => Readable.from([Buffer.from(text)]);

describe('wastage file header', () => {
  it('tells a wastage header from a dose header, in any order, case and delimiter', () => {
    expect(headerKind(WASTAGE)).toBe('wastage');
    expect(headerKind([' Reason ', 'DOSES', 'date', 'Record_ID', 'lot_number', 'ndc', 'iis_id'])).toBe(
      'wastage',
    );
    expect(headerKind(doseFile([]).split('\n')[0]!.split('\t'))).toBe('doses');
    // Columns dose files have too (ndc, lot_number, iis_id), or only a date, do not make a wastage file.
    expect(headerKind(['ndc', 'lot_number', 'iis_id'])).toBe('doses');
    expect(headerKind(['name', 'date', 'notes'])).toBe('doses');
    expect(sniff(Buffer.from(`${WASTAGE.join('\t')}\n`))).toEqual({ format: 'cvrs' });
    expect(sniff(Buffer.from(`${WASTAGE.join(',')}\n`))).toEqual({ format: 'csv' });
  });

  it('maps the wastage columns; reason_text and iis_id are optional, other columns are noted and ignored', () => {
    expect(readHeader(WASTAGE, 'csv')).toEqual({
      format: 'csv',
      kind: 'wastage',
      columns: WASTAGE,
      notes: [],
    });
    const cells = ['iis_id', 'record_id', 'ndc', 'lot_number', 'doses', 'date', 'reason', 'Clinic Notes'];
    const header = readHeader(cells, 'cvrs');
    expect(header).toMatchObject({
      format: 'cvrs',
      kind: 'wastage',
      columns: [...cells.slice(0, -1), undefined],
      notes: [{ code: 'FILE008', severity: 'warning', field: 'header' }],
    });
    expect((header as { notes: { message: string }[] }).notes[0]!.message).toBe(
      'Column Clinic Notes is not a wastage column and was ignored.',
    );
  });

  it('names the required wastage columns a header lacks (FILE006), and refuses a repeated column (FILE007)', () => {
    const noReason = readHeader(
      WASTAGE.filter((c) => c !== 'reason'),
      'csv',
    );
    expect(noReason).toMatchObject({ kind: 'wastage', problem: { code: 'FILE006', field: 'file' } });
    expect((noReason as { problem: { message: string } }).problem.message).toMatch(
      /^The header of this wastage file is missing required column reason\. /,
    );
    const two = readHeader(['record_id', 'doses', 'reason'], 'csv') as { problem: { message: string } };
    expect(two.problem.message).toMatch(/missing required columns ndc, lot_number, date\. /);
    expect(readHeader([...WASTAGE, 'doses'], 'csv')).toMatchObject({ problem: { code: 'FILE007' } });
  });

  it('keeps the dose messages for files that are not wastage files', () => {
    expect(readHeader(['name', 'date', 'notes'], 'csv')).toMatchObject({
      kind: 'doses',
      problem: { code: 'FILE005', message: expect.stringMatching(/^The first line is not a header of CVRS/) },
    });
    const missing = readHeader(['vax_event_id', 'recip_id', 'recip_first_name'], 'cvrs');
    expect((missing as { problem: { message: string } }).problem.message).toMatch(
      /^The header is missing required columns .*admin_date.*cvx/,
    );
  });
});

describe('planning a wastage file', () => {
  it('plans it like a dose file: chunks on record boundaries, repeated record_ids per site', async () => {
    const rows = [
      'W1,80777-0273-10,LOT1,1,2021-03-01,expired,',
      'W2,80777-0273-10,LOT1,1,2021-03-01,other,"left out, found warm"',
      'W1,80777-0273-10,LOT1,1,2021-03-01,expired,',
      'W1,80777-0273-10,LOT1,1,2021-03-01,expired,,OTHER-SITE',
      'W1,80777-0273-10,LOT1,1,2021-03-01,expired,,other-site',
    ];
    const text = `${[...WASTAGE, 'iis_id'].join(',')}\n${rows.join('\n')}\n`;
    const res = await scanFile(stream(text), 'SITE1', 2);
    if (!res.ok) throw new Error(res.problem.message);
    expect(res.plan).toMatchObject({ format: 'csv', rows: 5, header: { kind: 'wastage' } });
    expect(res.plan.chunks.map((c) => [c.firstRow, c.rows])).toEqual([
      [2, 2],
      [4, 2],
      [6, 1],
    ]);
    expect(res.plan.duplicates).toEqual({ 4: 2, 6: 5 });
  });

  it('says a failed scan was of a wastage file, so its results name record_id', async () => {
    const res = await scanFile(stream('record_id,ndc,lot_number,doses,date\nW1,x,y,1,2021-03-01\n'), 'SITE1');
    expect(res).toMatchObject({ ok: false, kind: 'wastage', problem: { code: 'FILE006' } });
  });

  it('writes results in the dose results format, with record_id in the ID column', () => {
    expect(resultHeader('wastage')).toBe('row,record_id,status,codes,messages\n');
    expect(resultHeader()).toBe('row,vax_event_id,status,codes,messages\n');
    expect(
      resultRows(2, [
        {
          record_id: 'W1',
          status: 'rejected',
          issues: [{ code: 'STK004', severity: 'error', field: 'reason_text', message: 'x' }],
        },
      ]),
    ).toBe('2,W1,rejected,STK004,error STK004 reason_text: x\n');
  });
});

describe('checking a wastage file offline', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wastage-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('parses every row against today, stores nothing, and counts like a dose file', async () => {
    const now = new Date();
    const today = localDate(now);
    const path = join(dir, 'wastage.csv');
    writeFileSync(
      path,
      [
        `${[...WASTAGE, 'iis_id'].join(',')}`,
        `W1,${NDC},LOT1,2,${today},drawn-not-administered,,`,
        `W2,${NDC},LOT1,1,${today},other,,`,
        `W3,${NDC},LOT1,1,${addDays(today, 3)},expired,,`,
        `W1,${NDC},LOT1,2,${today},drawn-not-administered,,`,
        `W4,${NDC},LOT1,1,${today},recall,,SOMEONE-ELSE`,
        '',
      ].join('\n'),
    );
    let text = '';
    const out = new Writable({
      write(chunk, _enc, done) {
        text += String(chunk);
        done();
      },
    });
    const check = await validateFile(path, 'SITE1', out, now);
    expect(check).toMatchObject({
      format: 'csv',
      kind: 'wastage',
      counts: { rows: 5, accepted: 1, rejected: 3, duplicates: 1, warnings: 0 },
    });
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('row,record_id,status,codes,messages');
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 4).join(','))).toEqual([
      '2,W1,accepted,',
      '3,W2,rejected,STK004',
      '4,W3,rejected,STK002',
      '5,W1,duplicate,STK012',
      '6,W4,rejected,DQ023',
    ]);
  });
});
