/**
 * npm run validate: the offline pre-flight check. Counts equal the known mix of a generated file, the results
 * file has one line per row, whole-file problems exit 1 with their finding, and no AWS SDK client sends
 * anything (the intake's modules construct clients at import; a dry run must never use them).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { parse } from 'csv-parse/sync';
import { afterAll, afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { summaryPathFor, validate } from '../../scripts/validate.ts';
import {
  doseFile,
  expectedCounts,
  LINE_ENDING_CASES,
  mixedKinds,
  withLineEndings,
} from '../fixtures/files.ts';
import { BINARY, captureIo, summaryCount, tempDir, withoutColumns } from './helpers.ts';

const dir = tempDir('validate-cli');
afterAll(() => dir.remove());

let sends: MockInstance[] = [];
beforeEach(() => {
  const refuse = async () => {
    throw new Error('validate must not call AWS');
  };
  sends = [DynamoDBClient, SQSClient, S3Client].map((c) =>
    vi.spyOn(c.prototype, 'send').mockImplementation(refuse),
  );
});
afterEach(() => {
  for (const s of sends) expect(s).not.toHaveBeenCalled();
  vi.restoreAllMocks();
});

function write(name: string, body: string | Buffer): string {
  const path = join(dir.path, name);
  writeFileSync(path, body);
  return path;
}

const records = (path: string) => parse(readFileSync(path)) as string[][];
const json = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

describe('npm run validate', () => {
  it('would see an SDK call (the spies catch the clients the intake modules build)', async () => {
    const { dynamodb } = await import('#platform/aws/dynamodb.ts');
    const { ListTablesCommand } = await import('@aws-sdk/client-dynamodb');
    await expect(dynamodb.send(new ListTablesCommand({}))).rejects.toThrow('validate must not call AWS');
    expect(sends[0]).toHaveBeenCalledTimes(1);
    sends[0]!.mockClear();
  });

  it.each(['cvrs', 'csv'] as const)(
    'checks a generated %s file: counts, results file, summary',
    async (format) => {
      const kinds = mixedKinds(400);
      const path = write(`mix.${format === 'cvrs' ? 'txt' : 'csv'}`, doseFile(kinds, format));
      const { io, stdout } = captureIo();
      expect(await validate([path], io)).toBe(0);

      const want = expectedCounts(kinds);
      const out = stdout();
      for (const key of ['rows', 'accepted', 'rejected', 'duplicates'] as const)
        expect(summaryCount(out, key), key).toBe(want[key]);
      expect(out).toContain('checked offline: nothing stored');

      const results = records(`${path}.results.csv`);
      expect(results[0]).toEqual(['row', 'vax_event_id', 'status', 'codes', 'messages']);
      expect(results).toHaveLength(want.rows + 1);
      expect(results.slice(1).map((r) => r[0])).toEqual(kinds.map((_, i) => String(i + 2)));
      expect(results.filter((r) => r[2] === 'accepted')).toHaveLength(want.accepted);

      const summary = json(summaryPathFor(`${path}.results.csv`));
      expect(summary).toMatchObject({ ...want, format, status: 'completed', offline: true });
      expect(summary.by_code.BUSR013).toBe(want.duplicates);
    },
  );

  it.each(
    LINE_ENDING_CASES.flatMap(([name, ending]) =>
      (['cvrs', 'csv'] as const).map((f) => [name, f, ending] as const),
    ),
  )(
    'checks a 3,000-row file, %s (%s): every row, the known mix (issue 12 defect 2, issue 18 item 4)',
    async (name, format, ending) => {
      const kinds = mixedKinds(3000);
      const path = write(
        `${name.replace(/\W+/g, '-')}.${format === 'cvrs' ? 'txt' : 'csv'}`,
        withLineEndings(doseFile(kinds, format), ending),
      );
      const { io, stdout } = captureIo();
      expect(await validate([path], io)).toBe(0);
      const want = expectedCounts(kinds);
      const out = stdout();
      for (const key of ['rows', 'accepted', 'rejected', 'duplicates'] as const)
        expect(summaryCount(out, key), key).toBe(want[key]);
      const results = records(`${path}.results.csv`);
      expect(results).toHaveLength(want.rows + 1);
      expect(results.slice(1).map((r) => r[0])).toEqual(kinds.map((_, i) => String(i + 2)));
      // Each row's verdict is the one of the same file with LF only (no carriage return left in a value).
      const plain = write(`plain-${format}.${format === 'cvrs' ? 'txt' : 'csv'}`, doseFile(kinds, format));
      expect(await validate([plain], captureIo().io)).toBe(0);
      expect(results).toEqual(records(`${plain}.results.csv`));
      expect(json(summaryPathFor(`${path}.results.csv`))).toMatchObject({ ...want, status: 'completed' });
    },
  );

  it('writes where --out says, and rejects rows of another site than --site', async () => {
    const text = doseFile(mixedKinds(20)).replace(/^vax_event_id/, 'iis_id\tvax_event_id');
    const withSite = text
      .split('\n')
      .map((l, i) => (i === 0 || !l ? l : `OTHERSITE\t${l}`))
      .join('\n');
    const path = write('sites.tsv', withSite);
    const out = join(dir.path, 'elsewhere.results.csv');

    // The site comes from the file's first row when not given.
    const guessed = captureIo();
    expect(await validate([path, '--out', out], guessed.io)).toBe(0);
    expect(guessed.stderr()).toContain('for site OTHERSITE (the first row)');
    expect(json(join(dir.path, 'elsewhere.summary.json')).rejected).toBe(2);

    const other = captureIo();
    expect(await validate([path, '--site', 'cairdemo01', '--out', out], other.io)).toBe(0);
    expect(summaryCount(other.stdout(), 'rejected')).toBe(20);
    expect(other.stdout()).toContain('DQ023');
    expect(
      records(out)
        .slice(1)
        .every((r) => r[2] === 'rejected'),
    ).toBe(true);
  });

  it.each([
    ['a binary file', 'export.xlsx', BINARY, 'FILE003', /binary/],
    ['an empty file', 'empty.csv', '', 'FILE002', /empty/],
    [
      'a file missing columns',
      'short.tsv',
      withoutColumns(doseFile(mixedKinds(5)), ['admin_date', 'cvx']),
      'FILE006',
      /missing required columns admin_date, cvx/,
    ],
  ])(
    'exits 1 for %s, with the file-level finding in the output and the results',
    async (_, name, body, code, text) => {
      const path = write(name, body);
      const { io, stdout } = captureIo();
      expect(await validate([path], io)).toBe(1);
      expect(stdout()).toContain('The file was not processed');
      expect(stdout()).toContain(code);
      expect(stdout()).toMatch(text);
      expect(records(`${path}.results.csv`)).toEqual([
        ['row', 'vax_event_id', 'status', 'codes', 'messages'],
        ['file', '', 'rejected', code, expect.stringMatching(text)],
      ]);
      expect(json(`${path}.summary.json`)).toMatchObject({
        status: 'failed',
        rows: 0,
        by_code: { [code]: 1 },
      });
    },
  );

  it.each([
    [[], /Name the file to check/],
    [['a.csv', 'b.csv'], /one file at a time/],
    [['--bogus', 'a.csv'], /Unknown option '--bogus'/],
    [['a.csv', '--site'], /--site <value>' argument missing/],
    [[join(dir.path, 'nope.csv')], /No such file: .*nope\.csv/],
    [[dir.path], /is not a file/],
  ])('exits 2 with a clear message for %j', async (argv, message) => {
    const { io, stdout, stderr } = captureIo();
    expect(await validate(argv, io)).toBe(2);
    expect(stderr()).toMatch(message);
    expect(stdout()).toBe('');
  });

  it('rejects a site that is not an Org Code and answers --help', async () => {
    const path = write('ok.tsv', doseFile(mixedKinds(3)));
    const bad = captureIo();
    expect(await validate([path, '--site', 'no spaces'], bad.io)).toBe(2);
    expect(bad.stderr()).toMatch(/--site must be an IIS Org Code/);
    expect(existsSync(`${path}.results.csv`)).toBe(false);
    const help = captureIo();
    expect(await validate(['--help'], help.io)).toBe(0);
    expect(help.stdout()).toMatch(/^Usage: npm run validate -- <file>/);
  });

  it('runs as a command (node scripts/validate.ts) with its exit codes', () => {
    const node = process.execPath;
    const script = resolve(import.meta.dirname, '../../scripts/validate.ts');
    const good = write('cmd.tsv', doseFile(mixedKinds(30)));
    const ok = spawnSync(node, [script, good], {
      encoding: 'utf8',
      env: { ...process.env, DATA_DIR: dir.path },
    });
    expect(ok.status, ok.stderr).toBe(0);
    expect(summaryCount(ok.stdout, 'accepted')).toBe(expectedCounts(mixedKinds(30)).accepted);
    const empty = spawnSync(node, [script, write('cmd-empty.csv', '')], { encoding: 'utf8' });
    expect(empty.status).toBe(1);
    const usage = spawnSync(node, [script], { encoding: 'utf8' });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/Name the file to check/);
  });
});
