import {
  type Endpoint,
  type EndpointName,
  type ErrorBody,
  endpoints,
  errorResponse,
  makeError,
  ROUTES,
  validateInput,
} from '@chat/protocol';
import { type HttpHandler, HttpResponse, http, type JsonBodyType } from 'msw';
import { checked } from './checked';
import type { KitContext } from './kit-context';
import { KitError } from './kit-error';
import { REST_ROUTES } from './rest-routes';

export interface RestOptions {
  baseUrl: string;
  apiKey: string;
  ctx: () => KitContext;
  verifyToken(token: string): string;
  reportBug(error: unknown): void;
}

const errorAnswer = (error: ErrorBody) =>
  HttpResponse.json(checked(errorResponse, { error }, 'error response'), { status: error.status });

/** Path params as the protocol names them (`{type}` in the table, `:type` for msw). */
const mswPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

function validated(schema: Endpoint['params'], value: unknown, what: string): unknown {
  if (!schema) return {};
  const result = validateInput(schema, value, what);
  if (!result.ok) throw KitError.from(result.error);
  return result.value;
}

async function readBody(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new KitError('validation_failed', 'The body is not valid JSON');
  }
}

/**
 * An msw handler for every REST endpoint of `@chat/protocol`, in the table's order (so
 * `/v1/users/me` is matched before `/v1/users/{userId}`): the implemented ones (rest-routes.ts)
 * over the fixture store, every other one answering 501 in the protocol's error shape; then a 404
 * for any other path under `/v1/`. Input is validated with the endpoint's schemas, every answer
 * with its response schema.
 */
export function restHandlers(options: RestOptions): HttpHandler[] {
  const base = options.baseUrl.replace(/\/+$/, '');
  const handlers = (Object.keys(ROUTES) as EndpointName[]).map((name) => {
    const route = ROUTES[name];
    const endpoint: Endpoint = endpoints[name];
    const method = route.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
    return http[method](`${base}${mswPath(route.path)}`, async ({ request, params }) => {
      try {
        const url = new URL(request.url);
        const apiKey = request.headers.get('x-api-key') ?? url.searchParams.get('api_key');
        if (apiKey !== options.apiKey)
          throw new KitError('invalid_api_key', 'The api_key names no application');
        const implementation = REST_ROUTES[name];
        if (!implementation) throw KitError.notSupported(`${route.method} ${route.path} (${name})`);
        const token = request.headers.get('authorization')?.match(/^Bearer (.+)$/)?.[1];
        if (!token) throw new KitError('unauthenticated', 'Missing bearer token');
        const userId = options.verifyToken(token);
        const query = Object.fromEntries([...url.searchParams].filter(([key]) => key !== 'api_key'));
        const result = implementation({
          ctx: options.ctx(),
          userId,
          params: validated(endpoint.params, { ...params }, 'path'),
          query: validated(endpoint.query, query, 'query'),
          body: endpoint.body ? validated(endpoint.body, await readBody(request), 'body') : {},
        });
        const status = 'status' in route ? route.status : 200;
        return HttpResponse.json(checked(endpoint.response, result, `${name} response`) as JsonBodyType, {
          status,
        });
      } catch (error) {
        if (error instanceof KitError) return errorAnswer(error.body);
        options.reportBug(error);
        return errorAnswer(makeError('internal', String(error)));
      }
    });
  });
  const unknown = http.all(`${base}/v1/*`, () => errorAnswer(makeError('not_found', 'No such endpoint')));
  return [...handlers, unknown];
}
