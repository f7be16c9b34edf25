/** The intake's storage as a list in memory: what intake would store is kept, nothing is read back. */
import type { Site } from '../../shared/domain/site.ts';
import { defaultDeps, type IntakeDeps } from '../../shared/intake/submit.ts';
import type { DoseVersion } from '../../shared/store/doses.ts';
import { demoSite } from '../fixtures/doses.ts';

export const FUZZ_SITE = demoSite.iis_id;

export function capturing(): { deps: IntakeDeps; stored: DoseVersion[] } {
  const stored: DoseVersion[] = [];
  const deps: IntakeDeps = {
    ...defaultDeps,
    getSite: async (id) => (id === demoSite.iis_id ? (demoSite as unknown as Site) : undefined),
    getHead: async () => undefined,
    recipientDoses: async () => [],
    insertVersion: async (v) => {
      stored.push(v);
      return { stored: true };
    },
    writeIntents: async () => {},
    deleteIntents: async () => {},
    shrinkIntent: async () => {},
    publish: async () => new Map(),
  };
  return { deps, stored };
}
