/** The pages for site staff, by path, in the order of the main navigation. */
import { dose } from './dose.ts';
import type { Page } from './page.ts';
import { siteFollowUp } from './site-follow-up.ts';
import { siteScorecard } from './site-scorecard.ts';
import { siteStock } from './site-stock.ts';
import { submit } from './submit.ts';
import { upload } from './upload.ts';
import { uploads } from './uploads.ts';

export const SITE_PAGES: Record<string, Page> = {
  '/uploads': uploads,
  '/upload': upload,
  '/submit': submit,
  '/dose': dose,
  '/stock': siteStock,
  '/follow-up': siteFollowUp,
  '/scorecard': siteScorecard,
};
