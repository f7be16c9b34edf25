/** Every fuzz target, in the order they run. */
import { cdcTarget } from './cdc.ts';
import { filesTarget } from './files.ts';
import type { FuzzTarget } from './harness.ts';
import { hl7Target } from './hl7.ts';
import { ifMatchTarget } from './if-match.ts';
import { jsonTarget } from './json.ts';
import { soapTarget } from './soap.ts';

export const TARGETS: readonly FuzzTarget<any>[] = [
  jsonTarget,
  filesTarget,
  hl7Target,
  soapTarget,
  ifMatchTarget,
  cdcTarget,
];
