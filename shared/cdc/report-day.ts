import { createHash, randomUUID } from 'node:crypto';
import { ALARMS } from '#platform/alarms.ts';
import type { Finding } from '#platform/findings.ts';
import { logger } from '#platform/logger.ts';
import { mapLimit } from '#platform/map-limit.ts';
import { topology } from '../../infra/topology.ts';
import { type AuditStore, auditKey } from './audit.ts';
import { parseProcessingError, parseValidationError, type UploadOutcome } from './clearinghouse/answers.ts';
import type { RecordType } from './clearinghouse/client.ts';
import { buildDay, type NetRecord, netChange, type StagedChange } from './report-build.ts';
import * as store from './store.ts';

/** A file's records as doses: `[iis_id, vax_event_id, the day's staged versions]`, the first record first. */
type FileIndex = [string, string, number[]][];
const indexKey = (fileKey: string) => `${fileKey}.index.json`;

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
  /** `blocked`: not run, because an earlier day is not uploaded yet (CDC must get a dose's records in order). */
  status: 'uploaded' | 'incomplete' | 'busy' | 'blocked';
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
    const indexes = new Map<string, FileIndex>();
    let manifest = status.manifest;
    const built = manifest ? 'before' : 'now';
    if (!manifest) manifest = await build(day, deps, texts, indexes);

    const files: FileReport[] = [];
    let error: string | undefined;
    for (const f of manifest.files) {
      const base = { name: f.name, type: f.type, records: f.records, sha256: f.sha256 };
      const had = status.receipts[f.name];
      if (had) {
        // A run that died between the receipt and marking what CDC refused: finish the marking now.
        if (had.validationErrors + had.processingErrors > 0 && !had.marked)
          await finishMarking(day, f, had, deps);
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
      const { validationErrors, processingErrors } = outcome.receipt;
      const refused = validationErrors.length + processingErrors.length > 0;
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
        marked: !refused,
      };
      // The receipt on the day item first: it is what stops the file being sent again.
      await store.saveReceipt(day, receipt);
      await deps.audit.put(key, `${JSON.stringify(full, null, 2)}\n`, 'application/json');
      if (refused) {
        await markRefused(
          text,
          indexes.get(f.name) ?? JSON.parse(await deps.audit.get(indexKey(f.key))),
          outcome.receipt,
        );
        receipt.marked = true;
        await store.saveReceipt(day, receipt);
      }
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

/**
 * The doses whose records CDC refused (a validation error by line, a processing error by event ID): their
 * changes of the day are marked unreported, so later days treat CDC as not holding what it refused.
 */
async function markRefused(
  text: string,
  index: FileIndex,
  receipt: { validationErrors: string[]; processingErrors: string[] },
): Promise<void> {
  const byEvent = new Map<string, [string, string, number[]]>();
  text
    .split('\n')
    .slice(1)
    .forEach((line, i) => {
      if (line && index[i]) byEvent.set(line.slice(0, line.indexOf('\t')), index[i]!);
    });
  const refused = new Set<[string, string, number[]]>();
  // CDC numbers records from 1, the first after the header (its validator's reports and its own mock).
  for (const e of receipt.validationErrors) {
    const line = parseValidationError(e).line;
    const entry = line !== undefined ? index[line - 1] : undefined;
    if (entry) refused.add(entry);
  }
  for (const e of receipt.processingErrors) {
    const id = parseProcessingError(e).vaxEventId;
    const entry = id ? byEvent.get(id) : undefined;
    if (entry) refused.add(entry);
  }
  for (const [iis, id, versions] of refused) await store.markUnreported(iis, id, versions, 'refused');
}

/** Marks what a receipt refused, from the receipt kept in the audit bucket (or, if that was lost, its first errors). */
async function finishMarking(
  day: string,
  f: store.ManifestFile,
  had: store.StoredReceipt,
  deps: ReportDeps,
): Promise<void> {
  let errors: { validationErrors: string[]; processingErrors: string[] };
  try {
    errors = JSON.parse(await deps.audit.get(had.key));
  } catch {
    errors = {
      validationErrors: had.firstErrors.filter((e) => e.startsWith('line#')),
      processingErrors: had.firstErrors.filter((e) => !e.startsWith('line#')),
    };
  }
  await markRefused(await deps.audit.get(f.key), JSON.parse(await deps.audit.get(indexKey(f.key))), errors);
  await store.saveReceipt(day, { ...had, marked: true });
}

async function build(
  day: string,
  deps: ReportDeps,
  texts: Map<string, string>,
  indexes: Map<string, FileIndex>,
): Promise<store.Manifest> {
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
  const versionsOf = (iis: string, id: string) =>
    (byDose.get(`${iis}\u0000${id}`) ?? []).map((c) => c.version);
  for (const f of files) {
    const index: FileIndex = f.keys.map((k) => [
      k.iis_id,
      k.vax_event_id,
      versionsOf(k.iis_id, k.vax_event_id),
    ]);
    await deps.audit.put(auditKey(day, f.name), f.text, 'text/plain; charset=utf-8');
    await deps.audit.put(indexKey(auditKey(day, f.name)), JSON.stringify(index), 'application/json');
    texts.set(f.name, f.text);
    indexes.set(f.name, index);
  }
  // Held back: CDC never hears of these changes, so later days must not assume it has them.
  for (const h of heldBack)
    await store.markUnreported(h.iis_id, h.vax_event_id, versionsOf(h.iis_id, h.vax_event_id), 'held-back');
  let heldBackKey: string | undefined;
  if (heldBack.length) {
    heldBackKey = auditKey(day, 'held-back.json');
    // Which dose (site and its event ID, for the site to fix) and which rule, never the rule's message: messages
    // quote values (a birth date, a ZIP).
    const list = heldBack.map((h) => ({
      iis_id: h.iis_id,
      vax_event_id: h.vax_event_id,
      version: h.version,
      type: h.type,
      findings: h.findings.map((f) => ({ code: f.code, field: f.field })),
    }));
    await deps.audit.put(heldBackKey, `${JSON.stringify(list, null, 2)}\n`, 'application/json');
    // Counts only: the list (in the audit bucket) names sites' event IDs.
    logger.warn(ALARMS.cdcRecordsHeldBack.code, { day, records: heldBack.length, key: heldBackKey });
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
