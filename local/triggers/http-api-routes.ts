/** HTTP API routes: built from the functions' route keys, and matched to a request as API Gateway does. */
import type { LocalFunctionSpec } from '../lambda.ts';

export interface Route {
  routeKey: string;
  method: string;
  /** Path segments; `{name}` segments are parameters. */
  segments: string[];
  functionName: string;
  authorized: boolean;
}

export interface RouteMatch {
  route: Route;
  pathParameters: Record<string, string>;
}

export function buildRoutes(functions: Record<string, LocalFunctionSpec>): Route[] {
  const routes: Route[] = [];
  const seen = new Set<string>();
  const add = (functionName: string, routeKey: string, authorized: boolean) => {
    const match = /^([A-Z]+) (\/\S*)$/.exec(routeKey);
    if (!match) throw new Error(`function ${functionName}: malformed route key "${routeKey}"`);
    const [, method, path] = match as unknown as [string, string, string];
    if (seen.has(routeKey)) throw new Error(`route ${routeKey} is declared twice`);
    seen.add(routeKey);
    if (path.includes('+}'))
      throw new Error(`route ${routeKey}: greedy path variables are not supported locally`);
    routes.push({ routeKey, method, segments: path.split('/').slice(1), functionName, authorized });
  };
  for (const [name, spec] of Object.entries(functions)) {
    for (const key of spec.routes ?? []) add(name, key, true);
    for (const key of spec.publicRoutes ?? []) add(name, key, false);
  }
  return routes;
}

/**
 * The route for a request, or undefined (API Gateway then answers 404 — also when only the method differs).
 * Like API Gateway, the most specific route wins: literal segments beat path variables, a method beats ANY.
 */
export function matchRoute(routes: Route[], method: string, rawPath: string): RouteMatch | undefined {
  const segments = rawPath.split('/').slice(1);
  let best: { match: RouteMatch; score: number[] } | undefined;
  for (const route of routes) {
    if (route.method !== method && route.method !== 'ANY') continue;
    if (route.segments.length !== segments.length) continue;
    const pathParameters: Record<string, string> = {};
    const score: number[] = [];
    let ok = true;
    for (let i = 0; i < segments.length && ok; i++) {
      const want = route.segments[i]!;
      const got = segments[i]!;
      const param = /^\{([^}]+)\}$/.exec(want);
      if (param) {
        if (got === '') ok = false;
        else pathParameters[param[1]!] = safeDecode(got);
        score.push(0);
      } else {
        ok = want === got;
        score.push(1);
      }
    }
    if (!ok) continue;
    score.push(route.method === 'ANY' ? 0 : 1);
    if (!best || compareScores(score, best.score) > 0) best = { match: { route, pathParameters }, score };
  }
  return best?.match;
}

function compareScores(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

export function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
