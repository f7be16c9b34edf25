/**
 * The Lambda Invoke API (`POST /2015-03-31/functions/{name}/invocations`) on 127.0.0.1, so a tool written with
 * @aws-sdk/client-lambda (npm run cdc-report) invokes a local function exactly as it invokes a deployed one:
 * only the endpoint differs. Synchronous invocations answer the function's result; a function error answers
 * 200 with `X-Amz-Function-Error: Unhandled` and `{errorType, errorMessage}`, as Lambda does;
 * `X-Amz-Invocation-Type: Event` answers 202 at once.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { Invoker } from '../lambda.ts';
import { listenLoopback, readBody } from '../listen.ts';

export interface LambdaApi {
  url: string;
  stop(): Promise<void>;
}

const ROUTE = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

/** Lambda's limit for a synchronous invocation's request payload. */
const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

function send(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(payload === undefined ? '' : JSON.stringify(payload));
}

/** A function given by ARN (`arn:aws:lambda:…:function:name[:qualifier]`) or by name; undefined if unreadable. */
function functionName(raw: string): string | undefined {
  let name: string;
  try {
    name = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  const arn = /^arn:aws:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(name);
  return arn ? arn[1]! : name;
}

export async function startLambdaApi(options: { invoker: Invoker; port?: number }): Promise<LambdaApi> {
  const server = createServer(async (req, res) => {
    const match = ROUTE.exec(new URL(req.url ?? '/', 'http://local').pathname);
    if (req.method !== 'POST' || !match) {
      send(
        res,
        404,
        { Type: 'User', message: 'Unknown operation' },
        { 'x-amzn-errortype': 'UnknownOperation' },
      );
      return;
    }
    const name = functionName(match[1]!);
    if (name === undefined) {
      send(
        res,
        400,
        { Type: 'User', message: 'The function name is not valid percent-encoding' },
        {
          'x-amzn-errortype': 'InvalidParameterValueException',
        },
      );
      return;
    }
    const text = await readBody(req, MAX_PAYLOAD_BYTES);
    if (text === undefined) {
      send(
        res,
        413,
        { Type: 'User', message: 'Request must be smaller than 6291456 bytes' },
        {
          'x-amzn-errortype': 'RequestTooLargeException',
        },
      );
      return;
    }
    let event: unknown;
    try {
      event = text ? JSON.parse(text) : {};
    } catch {
      send(
        res,
        400,
        { Type: 'User', message: 'Could not parse request body into json' },
        {
          'x-amzn-errortype': 'InvalidRequestContentException',
        },
      );
      return;
    }
    const invocation = options.invoker.invoke(name, event);
    if (req.headers['x-amz-invocation-type'] === 'Event') {
      invocation.catch(() => {});
      send(res, 202, undefined);
      return;
    }
    try {
      send(res, 200, (await invocation) ?? null, { 'x-amz-executed-version': '$LATEST' });
    } catch (err) {
      const e = err as Error;
      if (e.name === 'HandlerUnavailableError' && /unknown function/.test(e.message)) {
        send(
          res,
          404,
          { Type: 'User', message: `Function not found: ${name}` },
          {
            'x-amzn-errortype': 'ResourceNotFoundException',
          },
        );
        return;
      }
      send(res, 200, { errorType: e.name, errorMessage: e.message }, { 'x-amz-function-error': 'Unhandled' });
    }
  });
  const port = await listenLoopback(server, options.port ?? 0);
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
