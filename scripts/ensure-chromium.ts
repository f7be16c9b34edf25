/**
 * The browser the console's tests drive (docs/console.md): Debian's `chromium` at /usr/bin/chromium (or
 * CHROMIUM_PATH). When it is missing and this process may install packages (root), `apt-get install -y chromium`;
 * otherwise it fails saying how to install it. Run alone: `node scripts/ensure-chromium.ts`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function ensureChromium(log: (line: string) => void = console.log): string {
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || CHROMIUM_PATH !== '/usr/bin/chromium')
    throw new Error(
      `The console's browser tests need Chromium at ${CHROMIUM_PATH}, which is missing. Install it with ` +
        '`sudo apt-get install -y chromium` (Debian/Ubuntu), or set CHROMIUM_PATH to a Chromium or Chrome binary.',
    );
  log('[console tests] /usr/bin/chromium is missing: apt-get install -y chromium');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args: string[]) =>
    execFileSync('apt-get', args, { env, stdio: ['ignore', 'ignore', 'pipe'], timeout: 15 * 60_000 });
  try {
    apt(['install', '-y', '--no-install-recommends', 'chromium']);
  } catch {
    // The package lists may be missing or stale (a fresh container): refresh them once and try again.
    apt(['update']);
    apt(['install', '-y', '--no-install-recommends', 'chromium']);
  }
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(`apt-get installed chromium but ${CHROMIUM_PATH} is missing`);
  return CHROMIUM_PATH;
}

if (import.meta.main) console.log(ensureChromium());
