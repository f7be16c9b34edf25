/** The local pipeline for the HTTP benchmark, in its own process so the load generator does not share its loop. */
import { startLocalRuntime } from '../local/runtime.ts';
import { intakeOnly } from '../local/topologies.ts';
import { demoSite } from '../test/fixtures/doses.ts';

const adminKey = 'bench-admin-key';
const rt = await startLocalRuntime({
  topology: intakeOnly(),
  port: 0,
  schedules: false,
  extraEnv: { ADMIN_KEY: adminKey, POWERTOOLS_LOG_LEVEL: 'ERROR' },
});
const res = await fetch(`${rt.apiUrl}/v1/sites`, {
  method: 'POST',
  headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
  body: JSON.stringify(demoSite),
});
const site = (await res.json()) as { api_key: string };
console.log(JSON.stringify({ apiUrl: rt.apiUrl, apiKey: site.api_key }));
process.on('SIGTERM', () => {
  void rt.stop().finally(() => process.exit(0));
});
