/** Every fuzz target, in the order they run. */
import type { FuzzTarget } from './harness.ts';
import { jsonTarget } from './json.ts';

export const TARGETS: readonly FuzzTarget<any>[] = [jsonTarget];
