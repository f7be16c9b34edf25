/** The intake's storage as a list in memory (test/fixtures/intake.ts), and the site the fuzz targets submit for. */
import { demoSite } from '../fixtures/doses.ts';

export { capturing } from '../fixtures/intake.ts';
export const FUZZ_SITE = demoSite.iis_id;
