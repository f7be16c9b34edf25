/** The pages for program staff and administrators, by path, in the order of the main navigation. */
import type { Page } from './page.ts';
import { pipelineHealth } from './pipeline-health.ts';
import { statewide } from './statewide.ts';
import { statewideMap } from './statewide-map.ts';
import { statewideSupply } from './statewide-supply.ts';

export const PROGRAM_PAGES: Record<string, Page> = {
  '/statewide': statewide,
  '/statewide/map': statewideMap,
  '/statewide/supply': statewideSupply,
  '/health': pipelineHealth,
};
