import { createHash } from 'node:crypto';
import { cvrsFileName, cvrsFileText, MAX_RECORDS_PER_FILE, splitIntoFiles } from '#codecs/cvrs/file.ts';
import type { Action } from '#doses/store.ts';
import type { Finding } from '#platform/findings.ts';
import type { RecordType } from './clearinghouse/client.ts';

/**
 * From a report day's staged changes to the day's CVRS files. Pure and deterministic: the same staged changes
 * always give byte-identical files with the same names, so a re-run of a day can be compared with what was sent.
 */

/** One stored change of a dose as staged for a report day: the de-identified CVRS line as of that version. */
export interface StagedChange {
  iis_id: string;
  vax_event_id: string;
  version: number;
  action: Action;
  /** Report day (YYYY-MM-DD, California) the change was staged for. */
  day: string;
  /** The 45 CVRS values of this version, tab-joined (see cvrsRecord). */
  line: string;
}

/** What one dose contributes to a day: at most one record, in the file of its type. */
export interface NetRecord {
  iis_id: string;
  vax_event_id: string;
  version: number;
  type: RecordType;
  line: string;
}

/**
 * The record a dose's changes of `day` add to that day's files, given its changes staged for earlier days that
 * reached CDC (not held back, not refused by CDC: see report-day.ts). CDC holds a dose when the newest change
 * reported earlier is not a delete; one record per dose and day
 * (several changes in a day send its newest state once), so a file never names an event twice:
 *   - CDC does not hold it: the newest is a delete → nothing; otherwise → "new" with the newest state;
 *   - CDC holds it: the newest is a delete → "deleted"; otherwise → "changed";
 *   - a change older than one already reported (its publication was delayed) → nothing: CDC has newer.
 */
export function netChange(
  day: readonly StagedChange[],
  earlier: readonly StagedChange[],
): NetRecord | undefined {
  if (day.length === 0) return undefined;
  const newest = day.reduce((a, b) => (b.version > a.version ? b : a));
  const reported = earlier.length ? earlier.reduce((a, b) => (b.version > a.version ? b : a)) : undefined;
  if (reported && reported.version > newest.version) return undefined;
  const held = reported !== undefined && reported.action !== 'D';
  const base = { iis_id: newest.iis_id, vax_event_id: newest.vax_event_id, version: newest.version };
  if (newest.action === 'D') return held ? { ...base, type: 'deleted', line: newest.line } : undefined;
  return { ...base, type: held ? 'changed' : 'new', line: newest.line };
}

export const RECORD_TYPES = ['new', 'changed', 'deleted'] as const satisfies readonly RecordType[];

/** Which dose a line of a file is (line 2 is keys[0]): to map CDC's record-level errors back to doses. */
export interface RecordKey {
  iis_id: string;
  vax_event_id: string;
  version: number;
}

export interface DayFile {
  name: string;
  type: RecordType;
  records: number;
  keys: RecordKey[];
  sha256: string;
  text: string;
}

export interface HeldBack {
  iis_id: string;
  vax_event_id: string;
  version: number;
  type: RecordType;
  findings: Finding[];
}

export interface BuiltDay {
  files: DayFile[];
  heldBack: HeldBack[];
}

export interface BuildOptions {
  submitter: string;
  /** The checks a record must pass before it may leave (errors only); the report day is `today` for them. */
  check: (values: readonly string[], today: string) => Finding[];
  maxPerFile?: number;
}

/**
 * The day's files: new, then changed, then deleted, each sorted by site and event ID and split at the record
 * limit, numbered 01, 02, … in that order. A record that fails the checks is held back (never sent broken).
 */
export function buildDay(day: string, records: readonly NetRecord[], options: BuildOptions): BuiltDay {
  const heldBack: HeldBack[] = [];
  const files: DayFile[] = [];
  let sequence = 0;
  for (const type of RECORD_TYPES) {
    const ofType = records
      .filter((r) => r.type === type)
      .sort((a, b) => compare(a.iis_id, b.iis_id) || compare(a.vax_event_id, b.vax_event_id));
    const passing: NetRecord[] = [];
    for (const r of ofType) {
      const findings = options.check(r.line.split('\t'), day);
      if (findings.length)
        heldBack.push({ iis_id: r.iis_id, vax_event_id: r.vax_event_id, version: r.version, type, findings });
      else passing.push(r);
    }
    for (const records of splitIntoFiles(passing, options.maxPerFile ?? MAX_RECORDS_PER_FILE)) {
      sequence += 1;
      const text = cvrsFileText(records.map((r) => r.line));
      files.push({
        name: cvrsFileName(day, sequence, options.submitter),
        type,
        records: records.length,
        keys: records.map((r) => ({ iis_id: r.iis_id, vax_event_id: r.vax_event_id, version: r.version })),
        sha256: createHash('sha256').update(text).digest('hex'),
        text,
      });
    }
  }
  return { files, heldBack };
}

/** Code-unit order, not locale order: the same on every machine. */
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
