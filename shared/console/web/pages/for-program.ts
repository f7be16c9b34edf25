/** The pages for program staff and administrators, by path, in the order of the main navigation. */
import type { Page } from './page.ts';
import { pipelineHealth } from './pipeline-health.ts';
import { statewide } from './statewide.ts';

export const PROGRAM_PAGES: Record<string, Page> = {
  '/statewide': statewide,
  '/health': pipelineHealth,
};
