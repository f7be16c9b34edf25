import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { errorName, logger } from '../logger.ts';
import type { ApiEvent } from './request.ts';
import { HttpError, problem, type Result } from './response.ts';

/**
 * Wraps a route handler: an HttpError becomes its problem answer; anything else is a 500 whose log line
 * carries the error's class and the request id, never the event.
 */
export function httpHandler(fn: (event: ApiEvent, context: Context) => Promise<Result>) {
  return middy<ApiEvent, Result, Error, Context>(fn).onError((request) => {
    const err = request.error;
    if (err instanceof HttpError) {
      request.response = problem(err.statusCode, err.code, err.field, err.message);
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

/** Dispatches on API Gateway's routeKey so one function can own a resource's routes. */
export function route(
  routes: Record<string, (event: ApiEvent, context: Context) => Promise<Result>>,
): (event: ApiEvent, context: Context) => Promise<Result> {
  return (event, context) => {
    const fn = routes[event.routeKey];
    if (!fn) throw new HttpError(404, 'REQ404', 'path', `No route ${event.routeKey}.`);
    return fn(event, context);
  };
}
