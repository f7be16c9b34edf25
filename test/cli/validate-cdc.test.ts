/**
 * npm run validate -- --cdc: CDC's validator as a command. Its stdout is CDC's report byte for byte (the file
 * named as given, so run from a folder laid out like CDC's repository it reproduces CDC's baselines), --json
 * gives the JSON report, HL7 files go to the HL7 reader, and the exit status says whether a report was written.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { headersFor } from '#cdc/validator/index.ts';
import { validate } from '../../scripts/validate.ts';
import { fixtureBytes, goodRecord, maskTomorrow, TODAY } from '../cdc/validator/helpers.ts';
import { captureIo, tempDir } from './helpers.ts';

const dir = tempDir('validate-cdc');
afterAll(() => dir.remove());

const fixtures = resolve(import.meta.dirname, '../fixtures/cdc-validator');
const resources = join(dir.path, 'src', 'test', 'resources');
mkdirSync(resources, { recursive: true });
/** Every fixture with a report of CDC's to compare with. */
const REPORTED = [
  'testerror.txt',
  'testMissingHeaders.txt',
  'notacvrs.txt',
  'empty.txt',
  'testgood.txt',
  'testgood.hl7',
];
for (const f of [...REPORTED, 'testdefault.hl7']) copyFileSync(join(fixtures, f), join(resources, f));

function write(name: string, body: string | Buffer): string {
  const path = join(dir.path, name);
  writeFileSync(path, body);
  return path;
}

const script = resolve(import.meta.dirname, '../../scripts/validate.ts');
const runCommand = (args: string[]) =>
  spawnSync(process.execPath, [script, ...args], { cwd: dir.path, encoding: 'utf8', maxBuffer: 1e8 });

describe('npm run validate -- --cdc', () => {
  it.each(REPORTED)('prints CDC’s report of %s, byte for byte, as a command', (name) => {
    // CDC's baselines were made in 2021: their "future" dates are judged as on a day then.
    const res = runCommand(['--cdc', `src/test/resources/${name}`, '--today', TODAY]);
    expect(res.status, res.stderr).toBe(0);
    expect(maskTomorrow(res.stdout)).toBe(maskTomorrow(fixtureBytes(`${name}.rpt`).toString('utf8')));
  });

  it('--json prints CDC’s JSON report, byte for byte; stderr says what CDC’s tool would exit with', () => {
    const res = runCommand(['--cdc', '--json', 'src/test/resources/testerror.txt', '--today', TODAY]);
    expect(res.status, res.stderr).toBe(0);
    expect(maskTomorrow(res.stdout)).toBe(
      maskTomorrow(fixtureBytes('testerror.txt.rpt.json').toString('utf8')),
    );
    expect(res.stderr).toContain("CDC's validator would exit with 176");
  });

  it('with -d fills an HL7 message as CDC does: testdefault.hl7 has the 2 errors CDC counts', () => {
    const res = runCommand(['--cdc', '-d', 'src/test/resources/testdefault.hl7', '--today', TODAY]);
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toContain('src/test/resources/testdefault.hl7 has 2 errors in 2 of 51 records.\r\n');
    expect(res.stderr).toContain("CDC's validator would exit with 2 ");
    const without = runCommand(['--cdc', 'src/test/resources/testdefault.hl7', '--today', TODAY]);
    expect(without.stdout).not.toContain('has 2 errors');
  });

  it('reads an HL7 file by its name or by its first line', async () => {
    const byName = captureIo();
    expect(await validate(['--cdc', join(resources, 'testgood.hl7')], byName.io)).toBe(0);
    expect(byName.stdout()).toContain('has 0 errors in 0 of 33 records.\r\n');
    const disguised = write('hl7-as.txt', fixtureBytes('testgood.hl7'));
    const byContent = captureIo();
    expect(await validate(['--cdc', disguised], byContent.io)).toBe(0);
    expect(byContent.stdout()).toContain('has 0 errors in 0 of 33 records.\r\n');
  });

  it('--v1 reads the file as CVRS v1', async () => {
    const path = write('v1.txt', fixtureBytes('testerrorv1.txt'));
    const v1 = captureIo();
    expect(await validate(['--cdc', '--v1', '--today', TODAY, path], v1.io)).toBe(0);
    expect(v1.stdout()).toContain('has 282 errors in 60 of 60 records.');
    const v2 = captureIo();
    await validate(['--cdc', path], v2.io);
    expect(v2.stdout()).toContain('Input contains invalid headers: [vax_prov_suffix, recip_missed_appt]');
  });

  it('writes a large file’s text report as it reads (the same report as the whole text gives)', async () => {
    const good = goodRecord();
    const columns = headersFor('2');
    const rows = Array.from({ length: 5000 }, (_, i) =>
      columns.map((c) =>
        c === 'vax_event_id' ? `E${i % 4000}` : c === 'recip_sex' && i % 7 === 0 ? 'X' : good[c],
      ),
    );
    const path = write('big.txt', [columns, ...rows].map((r) => r.join('\t')).join('\n'));
    const text = captureIo();
    expect(await validate(['--cdc', path], text.io)).toBe(0);
    const { formatTextReport, validateCvrsText } = await import('#cdc/validator/index.ts');
    expect(text.stdout()).toBe(formatTextReport(path, validateCvrsText(readFileSync(path))));
  });

  it('exits 1 where CDC’s tool stops without a report, 2 on usage errors', async () => {
    const open = write('open-quote.csv', `${headersFor('2').join(',')}\n"never closed\n`);
    const stopped = captureIo();
    expect(await validate(['--cdc', open], stopped.io)).toBe(1);
    expect(stopped.stderr()).toMatch(/stops on .* without a report: Unterminated quoted field/);
    for (const args of [
      ['--cdc'],
      ['--cdc', 'a', 'b'],
      ['--json', open],
      ['--cdc', '--site', 'X1', open],
      ['--cdc', '--today', '3/10/2021', open],
    ]) {
      const io = captureIo();
      expect(await validate(args, io.io), args.join(' ')).toBe(2);
    }
    const missing = captureIo();
    expect(await validate(['--cdc', join(dir.path, 'nope.txt')], missing.io)).toBe(2);
    expect(missing.stderr()).toMatch(/No such file/);
  });
});
