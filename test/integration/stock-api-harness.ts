import { localDate } from '#platform/dates.ts';
import type { Client } from './harness.ts';

/** What the stock API tests (stock-api-*.test.ts) share: the NDCs, record builders and the lot date calls. */

export const NDC = '80777-0273-10';
export const CARTON = '80777-0273-99';
export const today = () => localDate(new Date());

/** The lot date calls, with the client a test file has started (a getter: it exists once beforeAll ran). */
export function lotCalls(api: () => Client) {
  return {
    setExpiration: (lot: string, expiration: unknown, key?: string, ndc = NDC) =>
      api().call('PUT', `/v1/lots/${ndc}/${lot}`, { key, body: { expiration } }),
    setBud: (lot: string, beyond_use_date: unknown, key: string, query = '') =>
      api().call('PUT', `/v1/lots/${NDC}/${lot}/beyond-use${query}`, { key, body: { beyond_use_date } }),
  };
}

export const receipt = (o: Record<string, unknown>) => ({
  ndc: NDC,
  lot_number: 'RCV-LOT',
  doses: 100,
  date: today(),
  ...o,
});
export const loss = (o: Record<string, unknown>) => ({
  ndc: NDC,
  lot_number: 'WST-LOT',
  doses: 2,
  date: today(),
  reason: 'broken-or-dropped',
  ...o,
});
export const codes = (issues: { code: string; field: string; severity: string }[]) =>
  issues.map((i) => `${i.code}:${i.field}:${i.severity}`);
