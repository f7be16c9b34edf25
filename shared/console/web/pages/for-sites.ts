/** The pages for site staff, by path, in the order of the main navigation. */
import { dose } from './dose.ts';
import type { Page } from './page.ts';

export const SITE_PAGES: Record<string, Page> = {
  '/dose': dose,
};
