import { hl7ErrorsToFindings } from '#codecs/hl7/findings.ts';
import { buildVxu, classifyAck, parseAck } from '#codecs/hl7/index.ts';
import type { ChangeMessage } from '#doses/messages.ts';
import { getVersion } from '#doses/store.ts';
import { getSecret } from '#platform/aws/secrets.ts';
import { SECRET_ENV } from '#platform/env-names.ts';
import { Semaphore } from '#platform/semaphore.ts';
import { getSite } from '#sites/store.ts';
import { REGISTRIES } from './config.ts';
import { countFailure, getControl, pauseRegistry, resumeRegistry } from './control.ts';
import { decideSend, settle, skip } from './decide.ts';
import { registryFor } from './routing.ts';
import { submitSingleMessage } from './soap-client.ts';
import { lockDose, recordOutcome, saveState, unlock } from './state-store.ts';
import { vxuFor } from './vxu-input.ts';

export interface RegistryCredentials {
  endpoint: string;
  username: string;
  password: string;
  facilityID: string;
}

export interface ReporterDeps {
  getVersion: typeof getVersion;
  getSite: typeof getSite;
  lockDose: typeof lockDose;
  saveState: typeof saveState;
  unlock: typeof unlock;
  recordOutcome: typeof recordOutcome;
  send: typeof submitSingleMessage;
  credentials: () => Promise<Record<string, RegistryCredentials>>;
  getControl: typeof getControl;
  countFailure: typeof countFailure;
  pauseRegistry: typeof pauseRegistry;
  resumeRegistry: typeof resumeRegistry;
}

export const defaultReporterDeps: ReporterDeps = {
  getVersion,
  getSite,
  lockDose,
  saveState,
  unlock,
  recordOutcome,
  send: submitSingleMessage,
  credentials: async () =>
    JSON.parse(await getSecret(SECRET_ENV.registryCredentials)) as Record<string, RegistryCredentials>,
  getControl,
  countFailure,
  pauseRegistry,
  resumeRegistry,
};

export type ReportResult =
  | { kind: 'done'; resumed?: string }
  | { kind: 'locked' }
  | { kind: 'paused'; registry: string }
  | { kind: 'retry'; registry: string; reason: string }
  | { kind: 'security-fault'; registry: string }
  /** The ACK answered another message (MSA-2 is not our MSH-10): nothing is known of ours, so it is sent again. */
  | { kind: 'ack-mismatch'; registry: string; version: number };

const LOCK_MS = 55_000;
const SEND_TIMEOUT_MS = 20_000;

/** ERR segments of a registry's ACK as findings (its words, at its HL7 location). */
export const ackFindings = hl7ErrorsToFindings;

/**
 * Reports one stored change, and any earlier version of the same dose not yet settled, to the dose's
 * regional registry, in version order, under the dose's lock. A version settled before is never sent again.
 * Answers 'retry' (the registry could not be reached: keep the message) or 'security-fault' (its
 * credentials were refused: stop sending to it) without losing what was settled so far.
 */
export async function reportChange(
  msg: Pick<ChangeMessage, 'iis_id' | 'vax_event_id' | 'version'>,
  owner: string,
  now: Date,
  deps: ReporterDeps = defaultReporterDeps,
): Promise<ReportResult> {
  let state = await deps.lockDose(msg.iis_id, msg.vax_event_id, owner, now, LOCK_MS);
  if (!state) return { kind: 'locked' };
  let resumed: string | undefined;
  try {
    for (let v = state.settledVersion + 1; v <= msg.version; v++) {
      const version = await deps.getVersion(msg.iis_id, msg.vax_event_id, v);
      if (!version) break;
      const at = new Date().toISOString();
      const site = await deps.getSite(version.iis_id);
      const registry = registryFor(site?.admin_address_county, now);
      const decision = decideSend(version, state);
      if (!decision.send) {
        state = skip(state, v);
        await deps.recordOutcome(msg.iis_id, msg.vax_event_id, v, {
          registry,
          status: 'not-sent',
          findings: [],
          at,
        });
        continue;
      }
      const creds = (await deps.credentials())[registry];
      const config = REGISTRIES[registry];
      if (!creds || !config) throw new Error(`No credentials or configuration for registry ${registry}`);
      // Paused (its credentials were refused): park, unless the pause is over and this send is the probe.
      const control = await deps.getControl(registry);
      const pause = control.pause;
      if (pause && pause.until > now.toISOString()) {
        await deps.saveState(msg.iis_id, msg.vax_event_id, owner, state);
        return { kind: 'paused', registry };
      }
      const messageControlId = `${version.version}-${version.stored_at.replace(/\D/g, '').slice(0, 14)}-${hashId(version.iis_id, version.vax_event_id)}`;
      const hl7 = buildVxu(
        vxuFor({
          dose: version.dose,
          action: decision.action,
          siteSendingFacility: site?.sending_facility_iis_id,
          config,
          facilityID: creds.facilityID,
          messageControlId,
          sentAt: new Date(),
          historical: version.historical,
        }),
      );
      const res = await gate(registry, config.maxConcurrent).run(() =>
        deps.send(creds.endpoint, creds, hl7, { timeoutMs: SEND_TIMEOUT_MS }),
      );
      if (res.kind === 'retry') {
        // A registry that keeps failing is left alone for a while: later messages park instead of piling on.
        if ((await deps.countFailure(registry)) >= config.failuresToPause)
          await deps.pauseRegistry(
            registry,
            new Date(now.getTime() + config.pauseSeconds * 1000).toISOString(),
            'failures',
          );
        await deps.saveState(msg.iis_id, msg.vax_event_id, owner, state);
        return { kind: 'retry', registry, reason: res.reason };
      }
      if (res.kind === 'fault' && res.fault === 'SecurityFault') {
        const until = new Date(now.getTime() + config.pauseSeconds * 1000).toISOString();
        await deps.pauseRegistry(registry, until, 'security');
        await deps.saveState(msg.iis_id, msg.vax_event_id, owner, state);
        return { kind: 'security-fault', registry };
      }
      // The registry answered: a pause that was over is lifted, failures stop counting, what was parked goes again.
      if (pause || control.failures > 0) {
        await deps.resumeRegistry(registry);
        if (pause) resumed = registry;
      }
      if (res.kind === 'fault') {
        // The registry refused this message itself (too large, unsupported): a rejection the site must see.
        await deps.recordOutcome(msg.iis_id, msg.vax_event_id, v, {
          registry,
          status: 'rejected',
          sentAs: decision.action,
          findings: [{ code: res.fault, severity: 'error', field: 'message', message: res.reason }],
          at,
        });
        state = settle(state, v, decision.action, 'rejected');
        continue;
      }
      const ack = parseAck(res.hl7);
      if (ack.messageControlId !== messageControlId) {
        // Settling on an answer to another message could mark a dose reported that the registry never took.
        await deps.saveState(msg.iis_id, msg.vax_event_id, owner, state);
        return { kind: 'ack-mismatch', registry, version: v };
      }
      const outcome = classifyAck(ack);
      await deps.recordOutcome(msg.iis_id, msg.vax_event_id, v, {
        registry,
        status: outcome,
        sentAs: decision.action,
        ack: res.hl7,
        findings: ackFindings(ack.errors),
        at,
      });
      state = settle(state, v, decision.action, outcome);
    }
    await deps.saveState(msg.iis_id, msg.vax_event_id, owner, state);
    return resumed ? { kind: 'done', resumed } : { kind: 'done' };
  } catch (err) {
    await deps.unlock(msg.iis_id, msg.vax_event_id, owner);
    throw err;
  }
}

// Requests in flight per registry from this container; with the queue mapping's maximumConcurrency this
// bounds what a fragile registry sees at once.
const gates = new Map<string, Semaphore>();
function gate(registry: string, limit: number): Semaphore {
  const existing = gates.get(registry);
  if (existing) return existing;
  const created = new Semaphore(limit);
  gates.set(registry, created);
  return created;
}

/** A short stable tag of the dose for MSH-10 (no patient data; the registry echoes it in MSA-2). */
function hashId(iisId: string, eventId: string): string {
  let h = 2166136261;
  for (const ch of `${iisId}#${eventId}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return h.toString(36);
}
