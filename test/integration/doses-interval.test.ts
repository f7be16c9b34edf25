import { afterAll, describe, expect, it } from 'vitest';
import { modernaDose } from '../fixtures/doses.ts';
import { startWithSite } from './harness.ts';

/**
 * The minimum-interval rule (DQ014) against doses already stored: read through the by-recipient index, which holds
 * only what the rule needs (topology), so a stored dose's product, a delete and a refusal must all come through it.
 */
const { rt, api, site } = await startWithSite();
afterAll(async () => rt?.stop());

const post = async (dose: Record<string, unknown>) =>
  (await api.call('POST', '/v1/doses', { key: site.api_key, body: dose })).json.results[0];
const codes = (r: { issues: { code: string }[] }) => r.issues.map((i) => i.code);

describe('the interval rule against stored doses', () => {
  it("warns of a second dose too soon after the recipient's stored first, by the stored product's interval", async () => {
    expect((await post(modernaDose({ vax_event_id: 'IV-1', recip_id: 'R-IV1' }))).status).toBe('accepted');
    const soon = await post(
      modernaDose({ vax_event_id: 'IV-2', recip_id: 'R-IV1', dose_num: '2', admin_date: '2021-03-20' }),
    );
    expect(soon.status).toBe('accepted');
    expect(codes(soon)).toContain('DQ014');
    const onTime = await post(
      modernaDose({ vax_event_id: 'IV-3', recip_id: 'R-IV2', dose_num: '2', admin_date: '2021-04-08' }),
    );
    expect(codes(onTime)).not.toContain('DQ014');
  });

  it('leaves out a stored dose that was deleted, and a refusal', async () => {
    await post(modernaDose({ vax_event_id: 'IV-4', recip_id: 'R-IV3' }));
    expect(
      (await api.call('DELETE', '/v1/doses/IV-4', { key: site.api_key, headers: { 'if-match': '"1"' } }))
        .status,
    ).toBe(200);
    await post(
      modernaDose({ vax_event_id: 'IV-5', recip_id: 'R-IV4', vax_refusal: 'YES', admin_date: '2021-03-15' }),
    );
    for (const [id, recip] of [
      ['IV-6', 'R-IV3'],
      ['IV-7', 'R-IV4'],
    ])
      expect(
        codes(
          await post(
            modernaDose({ vax_event_id: id, recip_id: recip, dose_num: '2', admin_date: '2021-03-20' }),
          ),
        ),
      ).not.toContain('DQ014');
  });
});
