import { type Client, client, drain, enroll, type Runtime, startPipeline } from './harness.ts';

/** What the dose API tests (doses-api*.test.ts) start from: a pipeline, one enrolled site, both queues empty. */
export interface DosesApi {
  rt: Runtime;
  api: Client;
  site: { iis_id: string; api_key: string };
  registryUrl: string;
  cdcUrl: string;
}

export async function startDosesApi(): Promise<DosesApi> {
  const rt = await startPipeline();
  const api = client(rt);
  const site = await enroll(api);
  const registryUrl = rt.env.REGISTRY_QUEUE_URL!;
  const cdcUrl = rt.env.CDC_QUEUE_URL!;
  await drain(registryUrl);
  await drain(cdcUrl);
  return { rt, api, site, registryUrl, cdcUrl };
}
