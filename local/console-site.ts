/**
 * The web console's files, served by the local API's port as CloudFront serves them in AWS (docs/console.md):
 * GET and HEAD of paths outside the API's routes. A path with an extension is that file (else 404); any other
 * path is the console's page (index.html), drawn by its router. Every answer carries the security headers.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { securityHeaders } from '#console/headers.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

export interface ConsoleSite {
  dir: string;
  /** Origins the console's scripts may call besides its own (the OpenID provider's: discovery, token). */
  connectOrigins: string[];
}

export function consoleHeaders(site: ConsoleSite): Record<string, string> {
  return securityHeaders(site.connectOrigins);
}

/** Serves `rawPath` from the console's directory. */
export function serveConsole(
  site: ConsoleSite,
  req: IncomingMessage,
  res: ServerResponse,
  rawPath: string,
): void {
  const root = resolve(site.dir);
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    path = '/';
  }
  const file = extname(path) ? resolve(root, `.${normalize(path)}`) : join(root, 'index.html');
  const headers = consoleHeaders(site);
  const inside = file === root || file.startsWith(root + sep);
  if (!inside || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404, {
      ...headers,
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : 'Not Found\n');
    return;
  }
  const ext = extname(file);
  res.writeHead(200, {
    ...headers,
    'content-type': TYPES[ext] ?? 'application/octet-stream',
    'content-length': String(statSync(file).size),
    // The page and its settings are read anew; the rest is revalidated (no hashed names yet).
    'cache-control': ext === '.html' || ext === '.json' ? 'no-store' : 'no-cache',
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
}
