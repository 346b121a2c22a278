/** Routing helpers every simulator shares: a route table, path patterns, the proxy's 404 page, content types. */
import type { SimRequest, SimResponse } from './sim-server';

/**
 * What a web server or reverse proxy in front of the vendor answers for a path no vendor route serves: an HTML page,
 * not the vendor's error shape. Clients must not read such a 404 as "the object does not exist".
 */
export function notFoundPage(): SimResponse {
  return {
    status: 404,
    contentType: 'text/html',
    body: '<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center><hr><center>nginx</center></body></html>',
  };
}

export type RouteHandler = (req: SimRequest, params: Record<string, string>) => SimResponse;
/** Path pattern (as for matchPath) -> method -> handler. */
export type RouteTable = Record<string, Partial<Record<string, RouteHandler>>>;

export interface ResolvedRoute {
  readonly params: Record<string, string>;
  /** Absent when the path is known but the method is not: the vendor's own 405, with `allow` as its Allow header. */
  readonly handler?: RouteHandler;
  readonly allow: string;
}

/**
 * Finds the route for a request; undefined when no pattern matches the path, which is the proxy's 404 page, not the
 * vendor's error. Vendors check credentials between the two, so an unknown path never reaches their auth.
 */
export function resolveRoute(table: RouteTable, req: SimRequest): ResolvedRoute | undefined {
  for (const [pattern, methods] of Object.entries(table)) {
    const params = matchPath(pattern, req.path);
    if (params) return { params, handler: methods[req.method], allow: Object.keys(methods).join(', ') };
  }
  return undefined;
}

/** Matches a path against a pattern like /api/paps/:id/permissions; returns the decoded parameters. */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const p = pattern.split('/');
  const a = path.split('/');
  if (p.length !== a.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    // An empty segment names nothing: /api/paps/ is not the profile "".
    if (p[i].startsWith(':') && a[i] !== '') params[p[i].slice(1)] = decodeURIComponent(a[i]);
    else if (p[i] !== a[i]) return undefined;
  }
  return params;
}

export function contentTypeIs(req: SimRequest, expected: string): boolean {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase() === expected;
}
