/** The command-line tools' shared pieces: summary text, S3 locations, the progress display, tables, uploads' arguments. */
import { describe, expect, it } from 'vitest';
import { formatSummary, progress, s3Location, table } from '../../scripts/lib/cli.ts';
import { uploads } from '../../scripts/uploads.ts';
import { captureIo, tempDir } from './helpers.ts';

describe('formatSummary', () => {
  it('gives the counts, warnings, ignored columns and the most frequent codes with what they mean', () => {
    const text = formatSummary(
      {
        format: 'csv',
        rows: 12_345,
        accepted: 12_000,
        rejected: 300,
        duplicates: 45,
        warnings: 7,
        by_code: { A1: 1, BUSR005: 300, BUSR013: 45, DQ019: 300, Z9: 2 },
        file_findings: [
          {
            code: 'FILE008',
            severity: 'warning',
            message: 'Column foo is not a CVRS field and was ignored.',
          },
        ],
      },
      3,
    );
    expect(text).toBe(
      [
        'rows       12,345   (CSV)',
        'accepted   12,000   (7 with warnings)',
        'rejected      300',
        'duplicates     45',
        'note: FILE008  Column foo is not a CVRS field and was ignored.',
        'top findings (3 of 5 codes):',
        '  BUSR005  300  The date of birth is after the administration date.',
        '  DQ019    300  The NDC is not listed for use on the administration date (NDC dates in the code base are less reliable than CVX dates, so this only warns).',
        '  BUSR013   45  A vax_event_id (compared without regard to case) comes again in one submission or file with different content. Warning only: an exact repeat of an earlier row, which CDC refuses too but we count once, as a duplicate.',
        '',
      ].join('\n'),
    );
  });

  it('says plainly that a file failed as a whole, and why', () => {
    const text = formatSummary({
      status: 'failed',
      rows: 0,
      accepted: 0,
      rejected: 0,
      duplicates: 0,
      warnings: 0,
      file_findings: [{ code: 'FILE002', severity: 'error', message: 'The file is empty.' }],
    });
    expect(text).toBe(
      'The file was not processed: nothing in it was stored.\n  FILE002  The file is empty.\n',
    );
  });
});

describe('s3Location', () => {
  it('reads bucket and key from path-style (local) and virtual-hosted (AWS) presigned URLs', () => {
    expect(
      s3Location('http://127.0.0.1:4566/drop/results/S1/a%20b.csv.results.csv?X-Amz-Signature=1'),
    ).toEqual({
      bucket: 'drop',
      key: 'results/S1/a b.csv.results.csv',
    });
    expect(
      s3Location(
        'https://stack-drop-1ab.s3.us-west-2.amazonaws.com/results/S1/f.csv.results.csv?X-Amz-Signature=1',
      ),
    ).toEqual({ bucket: 'stack-drop-1ab', key: 'results/S1/f.csv.results.csv' });
    expect(s3Location('not a url')).toBeUndefined();
  });
});

describe('progress', () => {
  it('without a terminal writes a line per stage and at most one per interval while counting', () => {
    let t = 0;
    const { io, stderr } = captureIo();
    const p = progress(io, { now: () => t, lineEveryMs: 5000 });
    p.update('received');
    p.update('received');
    t = 1000;
    p.update('processing', 0, 100);
    t = 2000;
    p.update('processing', 10, 100); // too soon
    t = 7000;
    p.update('processing', 60, 100);
    p.done();
    expect(stderr()).toBe('received (0s)\nprocessing: 0/100 rows (1s)\nprocessing: 60/100 rows (7s)\n');
  });

  it('on a terminal redraws one line: a bar when the total is known, a spinner before', () => {
    const { io, stderr } = captureIo({}, true);
    const p = progress(io, { now: () => 0 });
    p.update('received');
    p.update('uploading', 512 * 1024, 1024 * 1024, 'bytes');
    p.done();
    // ESC[K (erase to the end of the line) shown as <EL>.
    const frames = stderr().replaceAll('\x1b[K', '<EL>').split('\r').filter(Boolean);
    expect(frames[0]).toBe('| received 0s<EL>');
    expect(frames[1]).toMatch(/^\/ \[#+-+\] {2}50% 512\.0 KB\/1\.0 MB uploading 0s<EL>$/);
    expect(frames[2]).toBe('<EL>');
  });
});

describe('table', () => {
  it('pads columns to their widest cell and right-aligns the chosen ones', () => {
    expect(
      table(
        ['id', 'rows'],
        [
          ['a', '5/10'],
          ['bbb', '100/100'],
        ],
        new Set([1]),
      ),
    ).toBe('id      rows\n---  -------\na       5/10\nbbb  100/100\n');
  });
});

describe('uploads arguments', () => {
  it.each([
    [['--status', 'done'], /--status must be one of received, processing, completed, failed, not 'done'/],
    [['completed'], /Unexpected argument completed/],
    [['--limit', '0'], /--limit must be a positive number/],
    [[], /No local pipeline is running for .* Start it with npm start, or give --table <name>/],
  ])('exits 2 for %j', async (argv, message) => {
    const dir = tempDir('uploads-cli');
    try {
      const { io, stderr } = captureIo({ DATA_DIR: dir.path });
      expect(await uploads(argv, io)).toBe(2);
      expect(stderr()).toMatch(message);
    } finally {
      dir.remove();
    }
  });
});
