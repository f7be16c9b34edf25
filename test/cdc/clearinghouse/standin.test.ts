import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseProcessingError, parseValidationError } from '#cdc/clearinghouse/answers.ts';
import { ClearinghouseClient, RECORD_TYPE_HEADER } from '#cdc/clearinghouse/client.ts';
import { BAD_CREDENTIALS_REASON } from '#cdc/clearinghouse/tokens.ts';
import { cvrsFileText } from '#codecs/cvrs/file.ts';
import { CVRS_FIELDS } from '#doses/fields.ts';
import {
  type ClearinghouseStandin,
  startClearinghouseStandin,
} from '../../../local/standins/clearinghouse.ts';
import { accepted, CLIENT, EVENT, record } from './helpers.ts';

describe('Data Clearinghouse client against the stand-in', () => {
  let standin: ClearinghouseStandin;
  let client: ClearinghouseClient;
  const logLines: string[] = [];

  beforeAll(async () => {
    standin = await startClearinghouseStandin({
      port: 0,
      ...CLIENT,
      logger: (line) => logLines.push(line),
      now: () => new Date('2026-11-24T18:00:00Z'),
    });
  });
  afterAll(() => standin.stop());
  beforeEach(() => {
    standin.clearFaults();
    client = new ClearinghouseClient({ url: standin.url, ...CLIENT });
  });

  it('gets a token, uploads a valid "new" file, and the stand-in holds its records', async () => {
    const records = [record(1), record(2), record(3, { vax_refusal: 'YES' })];
    const before = standin.tokenRequests();
    const receipt = accepted(await client.upload('20261124_01_CAA.txt', 'new', cvrsFileText(records)));
    expect(receipt).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      validationErrors: [],
      processingErrors: [],
      truncated: false,
    });
    expect(standin.tokenRequests() - before).toBe(1);
    const ids = records.map((r) => r[EVENT]!);
    expect(standin.received().at(-1)).toMatchObject({
      id: receipt.id,
      fileName: '20261124_01_CAA.txt',
      recordType: 'new',
      records: 3,
      validationErrors: 0,
      processingErrors: 0,
      eventIds: ids,
    });
    for (const id of ids) expect(standin.holds(id)).toBe(true);

    // The same file again as "new": one processing error per record. The cached token is reused.
    const again = accepted(await client.upload('20261124_02_CAA.txt', 'new', cvrsFileText(records)));
    expect(again.validationErrors).toEqual([]);
    expect(again.processingErrors).toHaveLength(3);
    expect(again.processingErrors.map((e) => parseProcessingError(e))).toEqual(
      ids.map((id) => ({ vaxEventId: id, message: 'Record already exists' })),
    );
    expect(standin.tokenRequests() - before).toBe(1);

    // Deleting one, then changing it, misses it.
    const deleted = accepted(
      await client.upload('20261124_03_CAA.txt', 'deleted', cvrsFileText([records[0]!])),
    );
    expect(deleted.processingErrors).toEqual([]);
    expect(standin.holds(ids[0]!)).toBe(false);
    const change = accepted(
      await client.upload('20261124_04_CAA.txt', 'changed', cvrsFileText([records[0]!])),
    );
    expect(change.processingErrors.map((e) => parseProcessingError(e).message)).toEqual([
      'No record to change',
    ]);
  });

  it('reports a processing error for a "changed" record it does not hold', async () => {
    const rec = record(100);
    const receipt = accepted(await client.upload('20261124_05_CAA.txt', 'changed', cvrsFileText([rec])));
    expect(receipt.validationErrors).toEqual([]);
    expect(receipt.processingErrors).toEqual([
      `VaxEventId=${rec[EVENT]} RecipId=${rec[CVRS_FIELDS.indexOf('recip_id')]} message=No record to change`,
    ]);
    expect(standin.holds(rec[EVENT]!)).toBe(false);
    const del = accepted(await client.upload('20261124_06_CAA.txt', 'deleted', cvrsFileText([rec])));
    expect(del.processingErrors.map((e) => parseProcessingError(e).message)).toEqual(['No record to delete']);
  });

  it('answers a validation error for a name that is not redacted, and does not take that record', async () => {
    const bad = record(200);
    bad[CVRS_FIELDS.indexOf('recip_first_name')] = 'Maria';
    const good = record(201);
    const receipt = accepted(await client.upload('20261124_07_CAA.txt', 'new', cvrsFileText([bad, good])));
    expect(receipt.validationErrors).toHaveLength(1);
    // As CDC's validator and its Clearinghouse mock number them: the first record after the header is 1.
    expect(receipt.validationErrors[0]).toMatch(/^line#1 field=recip_first_name message=/);
    // CDC's message names the value, as CDC's would: our pre-send check is what keeps names from leaving.
    expect(receipt.validationErrors[0]).toContain('should contain value Redacted');
    expect(parseValidationError(receipt.validationErrors[0]!)).toMatchObject({
      line: 1,
      field: 'recip_first_name',
    });
    expect(receipt.processingErrors).toEqual([]);
    expect(standin.holds(bad[EVENT]!)).toBe(false);
    expect(standin.holds(good[EVENT]!)).toBe(true);
  });

  it("answers CDC's header errors for a wrong header (line -1) and holds nothing", async () => {
    const rec = record(300);
    const text = cvrsFileText([rec]).replace('vax_route', 'route');
    const receipt = accepted(await client.upload('20261124_08_CAA.txt', 'new', text));
    expect(receipt.validationErrors.map((e) => parseValidationError(e))).toEqual([
      { line: -1, field: 'Header', message: 'Input contains invalid headers: [route]' },
      { line: -1, field: 'Header', message: 'File is missing headers [vax_route]' },
    ]);
    expect(receipt.processingErrors).toEqual([]);
    expect(standin.holds(rec[EVENT]!)).toBe(false);
    expect(standin.received().at(-1)).toMatchObject({ records: 1, validationErrors: 2 });
  });

  it('is refused with a wrong client secret, without the secret in the reason', async () => {
    const wrong = new ClearinghouseClient({
      url: standin.url,
      clientId: CLIENT.clientId,
      clientSecret: 'nope',
    });
    const outcome = await wrong.upload('20261124_09_CAA.txt', 'new', cvrsFileText([record(400)]));
    expect(outcome).toEqual({ kind: 'refused', status: 401, reason: BAD_CREDENTIALS_REASON });
    expect(standin.holds(record(400)[EVENT]!)).toBe(false);
  });

  it('retries through two server errors, then is accepted', async () => {
    standin.setFaults({ failNext: 2, status: 500 });
    const text = cvrsFileText([record(500)]);
    const first = await client.upload('20261124_10_CAA.txt', 'new', text);
    const second = await client.upload('20261124_10_CAA.txt', 'new', text);
    expect([first.kind, second.kind]).toEqual(['retry', 'retry']);
    expect(first.kind === 'retry' && first.reason).toMatch(/^HTTP 500/);
    expect(standin.holds(record(500)[EVENT]!)).toBe(false);
    const third = accepted(await client.upload('20261124_10_CAA.txt', 'new', text));
    expect(third.processingErrors).toEqual([]);
    expect(standin.holds(record(500)[EVENT]!)).toBe(true);
  });

  it('gets a new token when the old one stops working, without the caller noticing', async () => {
    const before = standin.tokenRequests();
    accepted(await client.upload('20261124_11_CAA.txt', 'new', cvrsFileText([record(600)])));
    standin.setFaults({ expireTokens: true });
    const receipt = accepted(await client.upload('20261124_12_CAA.txt', 'new', cvrsFileText([record(601)])));
    expect(receipt.processingErrors).toEqual([]);
    expect(standin.tokenRequests() - before).toBe(2);
    expect(standin.holds(record(601)[EVENT]!)).toBe(true);
  });

  it('refreshes a token 60 s before it expires, rather than generating another', async () => {
    let clock = Date.now();
    const timed = new ClearinghouseClient({ url: standin.url, ...CLIENT }, { now: () => clock });
    const before = { gen: standin.tokenRequests(), refresh: standin.refreshRequests() };
    accepted(await timed.upload('20261124_13_CAA.txt', 'new', cvrsFileText([record(700)])));
    clock += (900 - 65) * 1000;
    accepted(await timed.upload('20261124_14_CAA.txt', 'new', cvrsFileText([record(701)])));
    expect(standin.refreshRequests() - before.refresh).toBe(0);
    clock += 10_000;
    accepted(await timed.upload('20261124_15_CAA.txt', 'new', cvrsFileText([record(702)])));
    expect(standin.tokenRequests() - before.gen).toBe(1);
    expect(standin.refreshRequests() - before.refresh).toBe(1);
  });

  it('serves what it received and its faults over HTTP, and logs no content', async () => {
    const list = (await (await fetch(`${standin.url}/_standin/received`)).json()) as unknown[];
    expect(list).toEqual(standin.received());
    const put = await fetch(`${standin.url}/_standin/faults`, {
      method: 'PUT',
      body: JSON.stringify({ failNext: 1, status: 503 }),
    });
    expect(await put.json()).toEqual({ failNext: 1, status: 503 });
    const outcome = await client.upload('20261124_16_CAA.txt', 'new', cvrsFileText([record(800)]));
    expect(outcome).toMatchObject({ kind: 'retry', reason: expect.stringMatching(/^HTTP 503/) });
    await fetch(`${standin.url}/_standin/faults`, { method: 'DELETE' });
    accepted(await client.upload('20261124_16_CAA.txt', 'new', cvrsFileText([record(800)])));
    expect(logLines.length).toBeGreaterThan(0);
    const all = logLines.join('\n');
    for (const secret of [CLIENT.clientSecret, 'Maria', record(800)[EVENT]!])
      expect(all).not.toContain(secret);
  });

  it('answers 415 to a file that is not text/plain, which the client takes as refused', async () => {
    const tokenRes = await fetch(`${standin.url}/v0/token/gen`, {
      method: 'POST',
      body: JSON.stringify({
        clientID: CLIENT.clientId,
        clientSecret: CLIENT.clientSecret,
        scopes: ['UPLOAD'],
      }),
    });
    const { token } = (await tokenRes.json()) as { token: string };
    const res = await fetch(`${standin.url}/v0/upload/cvrs/batch`, {
      method: 'POST',
      headers: { authorization: token, 'content-type': 'text/csv', [RECORD_TYPE_HEADER]: 'new' },
      body: cvrsFileText([record(900)]),
    });
    expect(res.status).toBe(415);
    const unauth = await fetch(`${standin.url}/v0/upload/cvrs/batch`, {
      method: 'POST',
      headers: { authorization: 'Bearer nothing', 'content-type': 'text/plain' },
      body: 'x',
    });
    expect(unauth.status).toBe(401);
    expect(await unauth.json()).toEqual({ message: 'Unauthorized' });
  });
});
