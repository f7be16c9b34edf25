import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AGE_BANDS, CA_COUNTIES, ETHNICITY_GROUPS, RACE_GROUPS, SEX_GROUPS } from '#analytics/bands.ts';
import { countyName, parseDenominators } from '#analytics/denominators.ts';
import { denominatorsInForce, storeDenominators } from '#analytics/denominators-store.ts';
import { dynamodb } from '#platform/aws/dynamodb.ts';
import { type Client, client, enroll, type Runtime, startWithout } from './harness.ts';

/**
 * Issue 15's must-show on the local stack: a denominator file with a negative number, a county that does not
 * exist or a missing age band is refused with a message naming the row, and the previous version stays in force.
 */

let rt: Runtime;
let api: Client;
let site: { iis_id: string; api_key: string };

beforeAll(async () => {
  rt = await startWithout(['registryReporter', 'cdcStager', 'personMatcher']);
  api = client(rt);
  site = await enroll(api);
});
afterAll(async () => rt?.stop());
afterEach(() => vi.restoreAllMocks());

/** One row per county × age band, the least a file may hold: row n of `rows` is CSV line n + 2. */
const rows = (population: number) =>
  CA_COUNTIES.flatMap((c) => AGE_BANDS.map((b) => `${c},${b},WHITE,NOT_HISPANIC,F,${population}`));
const csv = (lines: readonly string[]) =>
  `county,age_group,race,ethnicity,sex,population\n${lines.join('\n')}\n`;

const put = (body: string, opts: { key?: string; source?: string; type?: string } = {}) =>
  api.call('PUT', `/v1/denominators${opts.source ? `?source=${encodeURIComponent(opts.source)}` : ''}`, {
    key: opts.key,
    raw: body,
    headers: { 'content-type': opts.type ?? 'text/csv' },
  });
const get = (query = '', key?: string) => api.call('GET', `/v1/denominators${query}`, { key });

describe('/v1/denominators', () => {
  it('before any load: coverage has nothing to divide by, and says so', async () => {
    const res = await get('', site.api_key);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ in_force: null, history: [], message: 'no denominator loaded' });
    expect(await denominatorsInForce()).toBeUndefined();
  });

  it('loads v1; refuses bad files naming the row with v1 still in force; v2 replaces it, v1 kept', async () => {
    const v1 = await put(csv(rows(100)), { source: 'DOF P-3 test figures' });
    expect(v1.status, JSON.stringify(v1.json)).toBe(201);
    expect(v1.json).toMatchObject({
      created: true,
      previous: null,
      version: {
        version: 1,
        loaded_by: 'admin',
        row_count: 464,
        total_population: 46_400,
        source: 'DOF P-3 test figures',
      },
    });
    expect(v1.json.version.county_totals[0]).toEqual({ county: '06001', name: 'Alameda', population: 800 });

    const negative = rows(200);
    negative[12] = negative[12]!.replace(/,200$/, ',-3');
    const unknownCounty = [
      ...rows(200).slice(0, 5),
      '06999,<12,WHITE,NOT_HISPANIC,F,9',
      ...rows(200).slice(5),
    ];
    const missingBand = rows(200).filter((r) => !r.startsWith('06001,75+,'));
    for (const [bad, message] of [
      [negative, 'row 14: population is -3; a population is a whole number ≥ 0 (at most 40000000).'],
      [
        unknownCounty,
        'row 7: county 06999 is not a California county (its 5-digit FIPS code, 06001 to 06115, or its name).',
      ],
      [missingBand, 'county 06001 (Alameda) has no rows for age group 75+.'],
    ] as const) {
      const res = await put(csv(bad));
      expect(res.status).toBe(400);
      expect(res.json.issues.map((i: { message: string }) => i.message)).toEqual([message]);
      expect(res.json).toMatchObject({ in_force: 1, problem_count: 1 });
      expect(res.json.message).toMatch(/Nothing was loaded; version 1 stays in force/);
      const now = await get();
      expect(now.json.in_force.version).toBe(1);
      expect(now.json.history).toHaveLength(1);
    }
    expect((await denominatorsInForce())!.rows.every((r) => r.population === 100)).toBe(true);

    // The same figures again make no new version.
    const same = await put(csv([...rows(100)].reverse()));
    expect(same.status).toBe(200);
    expect(same.json).toMatchObject({ created: false, version: { version: 1 } });

    const v2 = await put(csv(rows(300)));
    expect(v2.status).toBe(201);
    expect(v2.json).toMatchObject({
      created: true,
      previous: 1,
      version: { version: 2, total_population: 139_200 },
    });

    const read = await get('', site.api_key);
    expect(read.status).toBe(200);
    expect(read.json.in_force).toMatchObject({
      version: 2,
      row_count: 464,
      total_population: 139_200,
      source: null,
    });
    expect(read.json.history).toEqual([
      {
        version: 1,
        loaded_at: v1.json.version.loaded_at,
        loaded_by: 'admin',
        row_count: 464,
        total_population: 46_400,
        source: 'DOF P-3 test figures',
      },
      expect.objectContaining({ version: 2 }),
    ]);
    expect(JSON.stringify(read.json)).not.toMatch(/WHITE/); // the versions, never the rows

    const older = await get('?version=1');
    expect(older.json.selected).toMatchObject({ version: 1, total_population: 46_400 });
    expect(older.json.in_force.version).toBe(2);
    expect((await get('?version=9')).json.issues[0]).toMatchObject({ code: 'DEN404', field: 'version' });
    expect((await get('?version=one')).status).toBe(400);

    const inForce = await denominatorsInForce();
    expect(inForce!.version).toBe(2);
    expect(inForce!.rows).toHaveLength(464);
    expect(inForce!.rows[0]).toEqual({
      county: '06001',
      age_group: '<12',
      race: 'WHITE',
      ethnicity: 'NOT_HISPANIC',
      sex: 'F',
      population: 300,
    });
  });

  it('a site key reads the versions but cannot load a file (403)', async () => {
    const res = await put(csv(rows(1)), { key: site.api_key });
    expect(res.status).toBe(403);
    expect(res.json.issues[0]).toMatchObject({ code: 'AUTH003', field: 'authorization' });
    expect(res.json.message).toMatch(/admin key/);
    expect((await get('', site.api_key)).json.in_force.version).toBe(2);
  });

  it('refuses a body that is not text/csv (415) and a file over the limit (413), changing nothing', async () => {
    expect((await put(csv(rows(5)), { type: 'application/json' })).status).toBe(415);
    const big = await put(
      `county,age_group,race,ethnicity,sex,population\n${'06001,<12,WHITE,NOT_HISPANIC,F,1\n'.repeat(100_000)}`,
    );
    expect(big.status).toBe(413);
    expect(big.json.issues[0].code).toBe('REQ003');
    expect((await get()).json.in_force.version).toBe(2);
  });

  it('a crash after the rows are written and before the version is: the previous version stays in force', async () => {
    const parsed = parseDenominators(csv(rows(400)));
    if (!parsed.ok) throw new Error('fixture refused');
    const send = dynamodb.send.bind(dynamodb);
    vi.spyOn(dynamodb, 'send').mockImplementation(((command: unknown) => {
      if (command instanceof PutItemCommand) throw new Error('crashed before the version was written');
      return send(command as never);
    }) as typeof dynamodb.send);
    await expect(storeDenominators(parsed.file, { loaded_by: 'admin' }, new Date())).rejects.toThrow(
      /crashed/,
    );
    vi.restoreAllMocks();

    const inForce = await denominatorsInForce();
    expect(inForce!.version).toBe(2);
    expect(inForce!.rows.every((r) => r.population === 300)).toBe(true);
    expect((await get()).json.history).toHaveLength(2);
    // Loading it again works, as the next version.
    expect((await put(csv(rows(400)))).json).toMatchObject({ created: true, version: { version: 3 } });
  });

  it('every cell of the cross-product, counties by name, goes through the gateway and Lambda in one request', async () => {
    const all: string[] = [];
    for (const c of CA_COUNTIES)
      for (const b of AGE_BANDS)
        for (const r of RACE_GROUPS)
          for (const e of ETHNICITY_GROUPS)
            for (const s of SEX_GROUPS)
              all.push(`"${countyName(c)}",${b},${r},${e},${s},${all.length % 9973}`);
    const res = await put(csv(all).replaceAll('\n', '\r\n'), { source: 'every cell' });
    expect(res.status, JSON.stringify(res.json).slice(0, 500)).toBe(201);
    expect(res.json.version).toMatchObject({ version: 4, row_count: 44_544 });
    const inForce = await denominatorsInForce();
    expect(inForce!.rows).toHaveLength(44_544);
    expect(inForce!.rows.reduce((s, r) => s + r.population, 0)).toBe(res.json.version.total_population);
  });
});
