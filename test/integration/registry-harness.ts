import { topology } from '../../infra/topology.ts';
import { type LocalTopology, startLocalRuntime } from '../../local/runtime.ts';
import { ADMIN_KEY, type Client, type Runtime } from './harness.ts';

/** The real topology with a short visibility timeout on the registry queue, so retries come back in seconds. */
export const quickRetries = {
  ...topology,
  queues: { ...topology.queues, registry: { ...topology.queues.registry, visibilityTimeoutSeconds: 2 } },
} as unknown as LocalTopology;

export const counties = {
  sacramento: { admin_address_county: '06067', admin_address_city: 'Sacramento', admin_address_zip: '95814' },
  sanJoaquin: { admin_address_county: '06077', admin_address_city: 'Stockton', admin_address_zip: '95202' },
  sanDiego: { admin_address_county: '06073', admin_address_city: 'San Diego', admin_address_zip: '92101' },
};

export async function start(extraEnv: Record<string, string> = {}): Promise<Runtime> {
  return startLocalRuntime({
    port: 0,
    schedules: false,
    topology: quickRetries,
    sqs: { waitTimeSeconds: 1 },
    functionTimeoutSeconds: { registryReporter: 10 },
    iam: true,
    extraEnv: { ADMIN_KEY, POWERTOOLS_LOG_LEVEL: 'ERROR', ...extraEnv },
  });
}

/** Waits until the registry has answered the dose's current version. */
export async function reported(api: Client, key: string, id: string): Promise<any> {
  const until = Date.now() + 30_000;
  for (;;) {
    const res = await api.call('GET', `/v1/doses/${id}`, { key });
    if (res.json.reports?.registry?.status && res.json.reports.registry.status !== 'pending') return res.json;
    if (Date.now() > until) throw new Error(`dose ${id} never reported: ${JSON.stringify(res.json.reports)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
