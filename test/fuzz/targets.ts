/** Every fuzz target, in the order they run. */
import { filesTarget } from './files.ts';
import type { FuzzTarget } from './harness.ts';
import { jsonTarget } from './json.ts';

// biome-ignore lint/suspicious/noExplicitAny: targets differ in their input type
export const TARGETS: readonly FuzzTarget<any>[] = [jsonTarget, filesTarget];
