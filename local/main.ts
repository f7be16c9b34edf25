/**
 * npm start: the whole pipeline on this machine. Stand-ins for DynamoDB, SQS and S3 on 127.0.0.1, every
 * table, queue and bucket from infra/topology.ts, the API on PORT (default 3000), queue consumers and
 * schedules. State persists under DATA_DIR (default .data). On first start a demo site is enrolled and its
 * key written to ${DATA_DIR}/credentials.json.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildConsole } from '#console/build.ts';
import { demoSite } from './demo.ts';
import { startLocalRuntime } from './runtime.ts';

interface Credentials {
  admin_key: string;
  sites: { iis_id: string; api_key: string }[];
}

const dataDir = resolve(process.env.DATA_DIR ?? '.data');
const port = Number(process.env.PORT ?? 3000);
// IAM enforced as in AWS (docs/iam-local.md); LOCAL_IAM=off runs without it.
const iam = process.env.LOCAL_IAM !== 'off';
// The web console, bundled anew at every start (docs/console.md) and served at the API's port.
const consoleDir = join(dataDir, 'console');
await buildConsole(consoleDir);
const rt = await startLocalRuntime({ dataDir, port, iam, console: { dir: consoleDir } });
const adminKey = process.env.ADMIN_KEY ?? '';
const credentialsFile = join(dataDir, 'credentials.json');

const admin = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };

/**
 * Enrolls the demo site. If it is already enrolled (credentials.json was deleted, or a start died between
 * enrolling and writing the file), its key is rotated instead: the old key was never shown to anyone.
 */
async function enrollDemoSite(): Promise<Credentials> {
  let res = await fetch(`${rt.apiUrl}/v1/sites`, {
    method: 'POST',
    headers: admin,
    body: JSON.stringify(demoSite),
  });
  if (res.status === 409)
    res = await fetch(`${rt.apiUrl}/v1/sites/${demoSite.iis_id}/keys`, { method: 'POST', headers: admin });
  const body = (await res.json()) as { api_key?: string; message?: string };
  if (res.status !== 201 || !body.api_key)
    throw new Error(`Could not enroll the demo site: ${res.status} ${body.message}`);
  return { admin_key: adminKey, sites: [{ iis_id: demoSite.iis_id, api_key: body.api_key }] };
}

let credentials: Credentials;
if (existsSync(credentialsFile)) {
  credentials = JSON.parse(readFileSync(credentialsFile, 'utf8')) as Credentials;
  credentials.admin_key = adminKey;
} else {
  credentials = await enrollDemoSite();
}
writeFileSync(credentialsFile, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });

const site = credentials.sites[0]!;
console.log(`
Pipeline running at ${rt.apiUrl}   (data in ${dataDir}; Ctrl-C to stop)
Web console: ${rt.consoleUrl}   (sign in as one of the demo users below)
Keys in ${credentialsFile}. Demo site ${site.iis_id}.

Report a dose:
  curl -s -X POST ${rt.apiUrl}/v1/doses \\
    -H "Authorization: Bearer ${site.api_key}" \\
    -H "Content-Type: application/json" \\
    -d @examples/moderna-dose.json

Read it back:
  curl -s ${rt.apiUrl}/v1/doses/DEMO-0001 -H "Authorization: Bearer ${site.api_key}"

API description: ${rt.apiUrl}/v1/openapi.json     Queue depths: npm run queues
Nightly stock roll-up at 00:30 California time; a past day by hand: npm run nightly -- --date YYYY-MM-DD
${registryLines()}${clearinghouseLines()}${signInLines()}`);

/** The sign-in provider: its demo users with their passwords (local demo only) and the demo machine client. */
function signInLines(): string {
  if (!rt.oidc) return '';
  const { issuer, users, clients, tokenEndpoint } = rt.oidc;
  const who = (u: (typeof users)[number]) =>
    u.dp_role === 'site'
      ? `site ${u.dp_sites}, ${u.dp_access === 'write' ? 'read-write' : 'read-only'}`
      : u.dp_role === 'program'
        ? 'program staff, statewide reads'
        : 'administrator';
  const client = clients[0];
  return `Sign-in (OpenID provider ${issuer}; demo users, kept in ${join(dataDir, 'oidc', 'demo.json')}):
${users.map((u) => `  ${u.username.padEnd(12)} ${u.password.padEnd(18)} ${who(u)}`).join('\n')}
${
  client
    ? `  A token for machine client ${client.clientId} (client credentials), then call the API with it:
    curl -s -u ${client.clientId}:${client.clientSecret} -d grant_type=client_credentials ${tokenEndpoint}
`
    : ''
}`;
}

/** Where the CDC Clearinghouse stand-in listens, and how to send today's report to it now. */
function clearinghouseLines(): string {
  if (!rt.clearinghouse) return '';
  const tls = rt.clearinghouseTlsFiles;
  // It requires a client certificate, as CDC's does: say which one opens it.
  const received = tls
    ? `curl --cacert ${tls.ca} --cert ${tls.clientCert} --key ${tls.clientKey} ${rt.clearinghouse.url}/_standin/received`
    : `${rt.clearinghouse.url}/_standin/received`;
  return `CDC Clearinghouse stand-in: ${rt.clearinghouse.url}${tls ? ' (mutual TLS)' : ''}
  Files received: ${received}
  The daily report runs at 03:30 California time; send a day now: npm run cdc-report -- --date YYYY-MM-DD
`;
}

/** Where the registry stand-ins listen, and what each has received (summaries, no patient data). */
function registryLines(): string {
  const standins = Object.values(rt.registries);
  if (standins.length === 0) return '';
  return `Registry stand-ins (what each received: <endpoint-origin>/_standin/received):\n${standins
    .map((r) => `  ${r!.name.padEnd(6)} ${r!.endpoint}`)
    .join('\n')}\n`;
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log('stopping…');
    void rt.stop().then(() => process.exit(0));
  });
}
