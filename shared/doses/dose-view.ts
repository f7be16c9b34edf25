import { registryFor } from '#registry/routing.ts';
import type { Site } from '#sites/site.ts';
import type { DoseVersion } from './store.ts';

/** A version's ETag: strong, its version number (If-Match reads it back, platform/http/request.ts). */
export const etag = (v: number) => `"${v}"`;

/** A stored dose as the API shows it: the version, its findings, and where its reports stand. */
export function doseView(v: DoseVersion, site?: Site) {
  return {
    vax_event_id: v.vax_event_id,
    iis_id: v.iis_id,
    version: v.version,
    action: v.action,
    deleted: v.action === 'D',
    stored_at: v.stored_at,
    dose: v.dose,
    issues: v.findings,
    reports: {
      registry: {
        registry:
          v.registry_outcome?.registry ?? v.registry ?? registryFor(site?.admin_address_county, new Date()),
        status: v.registry_status ?? 'pending',
        // The registry's findings in words a site can act on; the raw ACK stays in storage.
        ...(v.registry_outcome
          ? {
              sent_as: v.registry_outcome.sentAs,
              answered_at: v.registry_outcome.at,
              issues: v.registry_outcome.findings,
            }
          : {}),
      },
      cdc: { status: v.cdc_status ?? 'pending' },
    },
  };
}
