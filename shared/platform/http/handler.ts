import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { errorName, logger } from '../logger.ts';
import { DENIED, type Endpoint, type EndpointKey } from './endpoint.ts';
import { type ApiEvent, caller } from './request.ts';
import { HttpError, problem, type Result } from './response.ts';

/**
 * Wraps a route handler: an HttpError becomes its problem answer; anything else is a 500 whose log line
 * carries the error's class and the request id, never the event.
 */
export function httpHandler(fn: (event: ApiEvent, context: Context) => Promise<Result>) {
  return middy<ApiEvent, Result, Error, Context>(fn).onError((request) => {
    const err = request.error;
    if (err instanceof HttpError) {
      request.response = err.answer();
      return;
    }
    logger.error('request failed', { error: errorName(err), requestId: request.context.awsRequestId });
    request.response = problem(
      500,
      'SRV001',
      'request',
      'Something went wrong on our side. Send the request again: doses already stored are recognized as duplicates.',
    );
  });
}

/** A GET, or a POST declared as a read (a search): what a read-only sign-in may call. */
const readsOnly = (e: Endpoint) => e.key.startsWith('GET ') || e.reads === true;
const READ_ONLY =
  'This sign-in may read, not change: ask your administrator for write access, or use a site key.';

type RouteFn = (event: ApiEvent, context: Context) => Promise<Result>;

/**
 * Dispatches on API Gateway's routeKey to the implementation of each declared endpoint (every one must have
 * one, nothing else may), after checking the caller's role against the declaration: a key of a role the route
 * does not take is refused here, whatever the implementation does.
 */
export function route<const E extends readonly Endpoint[]>(
  endpoints: E,
  impls: Record<EndpointKey<E>, RouteFn>,
): RouteFn {
  const byKey = new Map<string, Endpoint>(endpoints.map((e) => [e.key, e]));
  const fns = impls as Record<string, RouteFn>;
  return async (event, context) => {
    const endpoint = byKey.get(event.routeKey);
    const fn = fns[event.routeKey];
    if (!endpoint || !fn) throw new HttpError(404, 'REQ404', 'path', `No route ${event.routeKey}.`);
    if (endpoint.access !== 'public') {
      const who = caller(event);
      if (!endpoint.access.includes(who.role)) {
        const needed = endpoint.access[0]!;
        const { code, message } = DENIED[needed];
        throw new HttpError(403, code, 'authorization', endpoint.denied ?? message);
      }
      if (who.readOnly && !readsOnly(endpoint))
        throw new HttpError(403, 'AUTH005', 'authorization', READ_ONLY);
    }
    return fn(event, context);
  };
}
