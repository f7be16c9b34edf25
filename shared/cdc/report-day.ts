import { createHash, randomUUID } from 'node:crypto';
import { topology } from '../../infra/topology.ts';
import type { Finding } from '../domain/findings.ts';
import { logger } from '../observability/logger.ts';
import * as store from '../store/cdc.ts';
import { mapLimit } from '../util/map-limit.ts';
import { type AuditStore, auditKey } from './audit.ts';
import type { RecordType, UploadOutcome } from './clearinghouse.ts';
import { buildDay, type NetRecord, netChange, type StagedChange } from './report-build.ts';

/**
 * One report day, start to end: close the day for staging, wait out stagers that saw it open, build the files
 * once (kept in the audit bucket, named in a manifest), upload each file that has no receipt yet, keep every
 * receipt. Safe to run again at any point: a built day is never rebuilt and a file with a receipt is never
 * sent again, so a re-run after a failure sends exactly what is missing.
 */

/** Longer than any stager's invocation (its function timeout) plus a margin for its last write to land. */
export const CLOSE_GRACE_SECONDS = topology.functions.cdcStager.timeoutSeconds + 30;
/** A run holds its day this long at most (the function's timeout), then another run may take over. */
const LOCK_MS = topology.functions.cdcReport.timeoutSeconds * 1000;
const HISTORY_CONCURRENCY = 32;
/** Record-level errors kept on the day item and shown by the CLI; the receipt in the bucket has them all. */
const FIRST_ERRORS = 20;

export interface Uploader {
  upload(fileName: string, recordType: RecordType, text: string): Promise<UploadOutcome>;
}

export interface ReportDeps {
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  closeGraceSeconds: number;
  uploader: () => Promise<Uploader>;
  audit: AuditStore;
  check: (values: readonly string[], today: string) => Finding[];
  submitter: string;
}

export interface FileReport {
  name: string;
  type: RecordType;
  records: number;
  sha256: string;
  /** `now`: sent by this run; `before`: an earlier run has its receipt; `pending`: not sent yet. */
  sent: 'now' | 'before' | 'pending';
  receipt?: store.StoredReceipt;
}

export interface DayReport {
  day: string;
  status: 'uploaded' | 'incomplete' | 'busy';
  built: 'now' | 'before' | 'no';
  files: FileReport[];
  heldBack: number;
  error?: string;
}

export async function runReportDay(day: string, deps: ReportDeps): Promise<DayReport> {
  const owner = randomUUID();
  if (!(await store.lockDay(day, owner, deps.now(), LOCK_MS)))
    return { day, status: 'busy', built: 'no', files: [], heldBack: 0 };
  try {
    let status = await store.dayStatus(day);
    if (!status.manifest) {
      // Only a build reads the staged changes, so only a build waits out the stagers.
      const closedAt = await store.closeDay(day, deps.now());
      const wait = Date.parse(closedAt) + deps.closeGraceSeconds * 1000 - deps.now().getTime();
      if (wait > 0) await deps.sleep(wait);
      status = await store.dayStatus(day);
    }
    const texts = new Map<string, string>();
    let manifest = status.manifest;
    const built = manifest ? 'before' : 'now';
    if (!manifest) manifest = await build(day, deps, texts);

    const files: FileReport[] = [];
    let error: string | undefined;
    for (const f of manifest.files) {
      const base = { name: f.name, type: f.type, records: f.records, sha256: f.sha256 };
      const had = status.receipts[f.name];
      if (had) {
        files.push({ ...base, sent: 'before', receipt: had });
        continue;
      }
      if (error) {
        files.push({ ...base, sent: 'pending' });
        continue;
      }
      const text = texts.get(f.name) ?? (await deps.audit.get(f.key));
      if (sha256(text) !== f.sha256) throw new Error(`${f.key} does not match the manifest's checksum`);
      const outcome = await (await deps.uploader()).upload(f.name, f.type, text);
      if (outcome.kind !== 'accepted') {
        error = `${f.name}: ${outcome.reason}`;
        files.push({ ...base, sent: 'pending' });
        continue;
      }
      const at = deps.now().toISOString();
      const full = { file: f.name, status: outcome.status, at, ...outcome.receipt };
      const key = `${f.key}.receipt.json`;
      await deps.audit.put(key, `${JSON.stringify(full, null, 2)}\n`, 'application/json');
      const { validationErrors, processingErrors } = outcome.receipt;
      const receipt: store.StoredReceipt = {
        file: f.name,
        id: outcome.receipt.id,
        at,
        status: outcome.status,
        validationErrors: validationErrors.length,
        processingErrors: processingErrors.length,
        truncated: outcome.receipt.truncated,
        firstErrors: [...validationErrors, ...processingErrors].slice(0, FIRST_ERRORS),
        key,
      };
      await store.saveReceipt(day, receipt);
      files.push({ ...base, sent: 'now', receipt });
      if (validationErrors.length || processingErrors.length)
        logger.warn('CDC_RECORD_ERRORS', {
          day,
          file: f.name,
          validationErrors: validationErrors.length,
          processingErrors: processingErrors.length,
          receipt: key,
        });
    }
    if (error) await store.recordError(day, error);
    else await store.markUploaded(day, deps.now());
    return {
      day,
      status: error ? 'incomplete' : 'uploaded',
      built,
      files,
      heldBack: manifest.held_back,
      ...(error ? { error } : {}),
    };
  } finally {
    await store.unlockDay(day, owner);
  }
}

async function build(day: string, deps: ReportDeps, texts: Map<string, string>): Promise<store.Manifest> {
  const byDose = new Map<string, StagedChange[]>();
  for (const c of await store.changesOfDay(day)) {
    const key = `${c.iis_id}\u0000${c.vax_event_id}`;
    byDose.set(key, [...(byDose.get(key) ?? []), c]);
  }
  const nets = await mapLimit([...byDose.values()], HISTORY_CONCURRENCY, async (changes) => {
    const first = changes[0]!;
    return netChange(changes, await store.changesBefore(first.iis_id, first.vax_event_id, day));
  });
  const { files, heldBack } = buildDay(
    day,
    nets.filter((n): n is NetRecord => n !== undefined),
    { submitter: deps.submitter, check: deps.check },
  );
  for (const f of files) {
    await deps.audit.put(auditKey(day, f.name), f.text, 'text/plain; charset=utf-8');
    texts.set(f.name, f.text);
  }
  let heldBackKey: string | undefined;
  if (heldBack.length) {
    heldBackKey = auditKey(day, 'held-back.json');
    await deps.audit.put(heldBackKey, `${JSON.stringify(heldBack, null, 2)}\n`, 'application/json');
    // Counts only: the list (in the audit bucket) names sites' event IDs.
    logger.warn('CDC_RECORDS_HELD_BACK', { day, records: heldBack.length, key: heldBackKey });
  }
  return store.saveManifest({
    day,
    built_at: deps.now().toISOString(),
    files: files.map((f) => ({
      name: f.name,
      type: f.type,
      records: f.records,
      sha256: f.sha256,
      key: auditKey(day, f.name),
    })),
    held_back: heldBack.length,
    ...(heldBackKey ? { held_back_key: heldBackKey } : {}),
  });
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
