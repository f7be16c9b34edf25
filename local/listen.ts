import type { IncomingMessage } from 'node:http';
import type { AddressInfo, Server } from 'node:net';

/** Listens on 127.0.0.1 only (the stand-ins have no authentication) and answers the port taken. */
export async function listenLoopback(server: Server, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/** The body as text, or undefined when it is larger than `limit` bytes (the rest is drained, not kept). */
export async function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return (await readBytes(req, limit))?.toString('utf8');
}

/** The body as bytes (a compressed body is not text), or undefined when it is larger than `limit` bytes. */
export function readBytes(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
      } else if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    // A client that goes away mid-body: answer nothing; the caller sees the socket closed.
    req.on('close', () => {
      if (!req.complete) resolve(Buffer.alloc(0));
    });
    req.on('error', reject);
  });
}

/** A port number from an environment variable; unset or empty: undefined (a free port). */
export function portFromEnv(
  name: string,
  env: Record<string, string | undefined> = process.env,
): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`${name} must be a port number, not "${raw}"`);
  return port;
}
