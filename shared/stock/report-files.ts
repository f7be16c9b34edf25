/** Where the nightly roll-up writes a day's reports in the reports bucket (CSV and JSON of each). */
export const REPORT_FILES = ['stock', 'expiring', 'admin-errors', 'totals'] as const;
export const reportKey = (date: string, name: string) => `accountability/${date}/${name}`;
/** One site's rows of the day: `{stock, expiring, admin_errors}` (rollup.ts rows). */
export const siteReportKey = (date: string, iis: string) => reportKey(date, `sites/${iis}.json`);
