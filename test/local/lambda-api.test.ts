import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Invoker } from '../../local/lambda.ts';
import { type LambdaApi, startLambdaApi } from '../../local/triggers/lambda-api.ts';

/** The local Lambda Invoke API with a stub invoker (it uses only invoke): AWS's answer shapes, and no crash on a bad request. */
const invoker = {
  async invoke(name: string, event: unknown) {
    if (name === 'fails') throw Object.assign(new Error('went wrong'), { name: 'Error' });
    if (name !== 'echo')
      throw Object.assign(new Error(`unknown function ${name}`), { name: 'HandlerUnavailableError' });
    return { got: event };
  },
  async drain() {},
} as unknown as Invoker;
let api: LambdaApi;
beforeAll(async () => {
  api = await startLambdaApi({ invoker });
});
afterAll(async () => api?.stop());

const call = (name: string, body = '{"a":1}') =>
  fetch(`${api.url}/2015-03-31/functions/${name}/invocations`, { method: 'POST', body });

describe('the local Lambda Invoke API', () => {
  it('answers the result, a function error as Lambda does, and 404 for an unknown function', async () => {
    const ok = await call('arn:aws:lambda:us-east-1:000000000000:function:echo');
    expect([ok.status, await ok.json()]).toEqual([200, { got: { a: 1 } }]);
    const failed = await call('fails');
    expect([failed.status, failed.headers.get('x-amz-function-error'), await failed.json()]).toEqual([
      200,
      'Unhandled',
      { errorType: 'Error', errorMessage: 'went wrong' },
    ]);
    expect((await call('nothere')).status).toBe(404);
  });

  it('answers 400 to a malformed name or body and keeps serving', async () => {
    expect((await call('%E0%A4%A')).status).toBe(400);
    expect((await call('echo', '{not json')).status).toBe(400);
    expect((await call('echo')).status).toBe(200);
  });
});
