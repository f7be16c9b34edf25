import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const dataDir = mkdtempSync(join(tmpdir(), 'pipeline-start-'));
const children: ChildProcess[] = [];

/** Runs `npm start`'s entry as a user would, on a free port, and waits for its banner. */
async function start(): Promise<{ url: string; child: ChildProcess; banner: () => string }> {
  const child = spawn(process.execPath, [join(root, 'local/main.ts')], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', POWERTOOLS_LOG_LEVEL: 'ERROR' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`no banner: ${out}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Pipeline running at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        res(m[1]!);
      }
    });
    child.stderr!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('exit', (code) => rej(new Error(`exited ${code}: ${out}`)));
  });
  return { url, child, banner: () => out };
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((res) => child.once('exit', res));
  child.kill('SIGTERM');
  await exited;
}

const credentials = () =>
  JSON.parse(readFileSync(join(dataDir, 'credentials.json'), 'utf8')) as {
    admin_key: string;
    sites: { iis_id: string; api_key: string }[];
  };

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start', () => {
  it('serves, enrolls the demo site, accepts the example dose with the demo key, and keeps data across restarts', async () => {
    const first = await start();
    const creds = credentials();
    expect(creds.admin_key).toBeTruthy();
    const key = creds.sites[0]!.api_key;
    const post = await fetch(`${first.url}/v1/doses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: readFileSync(join(root, 'examples/moderna-dose.json')),
    });
    expect(((await post.json()) as { results: { status: string }[] }).results[0]!.status).toBe('accepted');
    // The Clearinghouse stand-in asks for a client certificate, as CDC's does; its CA lives under DATA_DIR.
    const ca = join(dataDir, 'clearinghouse-tls', 'ca.pem');
    await expect
      .poll(first.banner)
      .toMatch(/CDC Clearinghouse stand-in: https:\/\/127\.0\.0\.1:\d+ \(mutual TLS\)/);
    expect(first.banner()).toContain(`--cacert ${ca}`);
    const caPem = readFileSync(ca, 'utf8');
    await stop(first.child);

    // Restart without credentials.json (deleted, or a crash before it was written): a new key, same data.
    rmSync(join(dataDir, 'credentials.json'));
    const second = await start();
    const newKey = credentials().sites[0]!.api_key;
    expect(newKey).not.toBe(key);
    const read = await fetch(`${second.url}/v1/doses/DEMO-0001`, {
      headers: { authorization: `Bearer ${newKey}` },
    });
    expect(read.status).toBe(200);
    expect(((await read.json()) as { dose: { cvx: string } }).dose.cvx).toBe('207');
    expect(readFileSync(ca, 'utf8')).toBe(caPem);
    await stop(second.child);
  });
});
