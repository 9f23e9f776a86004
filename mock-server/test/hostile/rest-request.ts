import { type Endpoint, type EndpointName, endpoints, LIMITS } from '@chat/protocol';
import { CANARY, materialize } from './hostile-values';
import { encodeComponent, type HttpRequest, queryString } from './http-request';
import { idOf } from './id-kinds';
import { deleteAt, getAt, jsonClone, setAt } from './json-paths';
import type { AuthVariant, EncodingVariant, Location, RestMutation } from './rest-mutations';
import type { Path } from './schema-paths';
import type { RestInput } from './valid-inputs';
import type { ForeignIds, World } from './world';

/**
 * A REST case on the wire: the valid input with its mutation applied, and the HTTP request that
 * carries it (encoding and credentials included).
 */

/** The valid input with the mutation applied: what the server is asked to accept. */
export function mutate(w: World, input: RestInput, m: RestMutation, fresh?: ForeignIds): RestInput {
  const out: RestInput = {
    ...input,
    params: { ...input.params },
    query: { ...input.query },
    body: jsonClone(input.body),
  };
  switch (m.kind) {
    case 'set': {
      const key = m.path.at(-1);
      if (m.at === 'params') {
        // Path segments are logged (request lines), so they carry no canary.
        const value = materialize(m.value, out.params[key as string], key);
        out.params[key as string] = String(value).replaceAll(CANARY, '');
      } else if (m.at === 'query') {
        const value = materialize(m.value, out.query[key as string], key);
        out.query[key as string] = Array.isArray(value) ? value.map(String) : String(value);
      } else out.body = setAt(out.body, m.path, materialize(m.value, getAt(out.body, m.path), key));
      return out;
    }
    case 'delete':
      if (m.at === 'query') delete out.query[m.path[0] as string];
      else out.body = deleteAt(out.body, m.path);
      return out;
    case 'extra-key':
      if (m.at === 'query') out.query[m.key] = '1';
      else out.body = setAt(out.body, [...m.path, m.key], materialize(m.value));
      return out;
    case 'foreign-id':
      return withValue(out, m.at, m.path, idOf(w, m.id, fresh ?? m.owner));
    case 'server-only-field':
      out.body = setAt(out.body, m.path, m.value);
      return out;
    case 'encoding':
    case 'auth':
      return out;
  }
}

function withValue(input: RestInput, at: Location, path: Path, value: string): RestInput {
  if (at === 'params') input.params[path[0] as string] = value;
  else if (at === 'query') input.query[path[0] as string] = value;
  else input.body = setAt(input.body, path, value);
  return input;
}

export function toRequest(w: World, endpoint: EndpointName, input: RestInput, m: RestMutation): HttpRequest {
  const def: Endpoint = endpoints[endpoint];
  let path = def.path.replace(/\{(\w+)\}/g, (_, key: string) => encodeComponent(input.params[key] ?? ''));
  let query = queryString(input.query);
  const token = { alice: w.tokens.alice, server: w.tokens.server, anonymous: undefined }[input.actor];
  const headers: Record<string, string> = {
    'x-api-key': w.a.api_key,
    ...(token && { authorization: `Bearer ${token}` }),
  };
  let body: string | Uint8Array | undefined;
  if (input.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(input.body);
  }
  const request: HttpRequest = {
    method: def.method,
    target: '',
    headers,
    ...(body !== undefined && { body }),
  };
  const addQuery = (raw: string) => {
    query = query ? `${query}&${raw}` : `?${raw}`;
  };
  if (m.kind === 'auth') authVariant(w, request, m.variant, addQuery);
  if (m.kind === 'encoding') {
    const json = JSON.stringify(input.body ?? {});
    switch (m.variant) {
      case 'bad percent-encoding in the path':
        path += '%E0%A4%A';
        break;
      case 'NUL query key':
        addQuery('%00=1');
        break;
      case 'malformed query string':
        addQuery('%zz=%&&=&a[b]=1&=x');
        break;
      case 'repeated query key':
        addQuery('limit=1&limit=2');
        break;
      case 'url over 16 KiB':
        addQuery(`pad=${'a'.repeat(17_000)}`);
        break;
      default: {
        const encoded = encodedBody(m.variant, json);
        delete headers['content-type'];
        Object.assign(headers, encoded.headers);
        request.body = encoded.body;
        if (encoded.hangUp) request.hangUp = true;
      }
    }
  }
  request.target = path + query;
  return request;
}

const MEGABYTE_PLUS = LIMITS.BODY_BYTES + 1;

/** The body and content type of an encoding variant, built around the valid body's JSON. */
function encodedBody(
  variant: EncodingVariant,
  json: string,
): { headers: Record<string, string>; body?: string | Uint8Array; hangUp?: boolean } {
  const typed = (type: string | undefined, body: string | Uint8Array) => ({
    headers: type ? { 'content-type': type } : ({} as Record<string, string>),
    body,
  });
  const asJson = (body: string | Uint8Array) => typed('application/json', body);
  switch (variant) {
    case 'text/plain':
      return typed('text/plain', json);
    case 'form-urlencoded':
      return typed('application/x-www-form-urlencoded', 'a=1&b=2');
    case 'multipart':
      return typed(
        'multipart/form-data; boundary=zz',
        '--zz\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--zz--\r\n',
      );
    case 'xml':
      return typed('application/xml', '<a>1</a>');
    case 'no content type':
      // Bytes, so that fetch adds no content type of its own.
      return typed(undefined, new TextEncoder().encode(json));
    case 'utf-16 charset label':
      return typed('application/json; charset=utf-16', json);
    case 'truncated JSON':
      return asJson(json.slice(0, -1));
    case 'trailing garbage':
      return asJson(`${json} x`);
    case 'single quotes':
      return asJson(json.replaceAll('"', "'"));
    case 'NaN':
      return asJson('NaN');
    case 'empty body':
      return asJson('');
    case 'byte order mark':
      return asJson(`\ufeff${json}`);
    case 'duplicate keys':
      // The later value wins in JSON.parse: still the valid body.
      return asJson(
        json.startsWith('{"') ? `{${json.slice(1, json.indexOf(':'))}:"${CANARY}",${json.slice(1)}` : json,
      );
    case 'raw control character':
      return asJson('{"text":"a\u0001b"}');
    case 'invalid UTF-8': {
      const at = json.indexOf(':"') + 2;
      const parts = at > 1 ? [json.slice(0, at), json.slice(at)] : [json, ''];
      return asJson(
        Buffer.concat([Buffer.from(parts[0]!), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(parts[1]!)]),
      );
    }
    case 'nested 20,000 deep':
      return asJson(`${'['.repeat(20_000)}${']'.repeat(20_000)}`);
    case 'over 1 MiB':
      return asJson(`{"x":"${'a'.repeat(MEGABYTE_PLUS)}"}`);
    case 'hang-up mid-body':
      return { ...asJson(json), hangUp: true };
    default:
      return { headers: {} };
  }
}

function authVariant(
  w: World,
  request: HttpRequest,
  variant: AuthVariant,
  addQuery: (raw: string) => void,
): void {
  const h = request.headers;
  const bearer = (token: string) => {
    h.authorization = `Bearer ${token}`;
  };
  switch (variant) {
    case 'no token':
      delete h.authorization;
      return;
    case 'garbage token':
      bearer(`not.a.jwt${CANARY}`);
      return;
    case 'token of another app':
      bearer(w.tokens.otherApp);
      return;
    case 'server token of another app':
      bearer(w.tokens.otherAppServer);
      return;
    case 'expired token':
      bearer(w.tokens.expired);
      return;
    case 'alg none token':
      bearer(w.tokens.algNone);
      return;
    case 'basic scheme':
      h.authorization = `Basic ${Buffer.from(`alice:${CANARY}`).toString('base64')}`;
      return;
    case 'no api key':
      delete h['x-api-key'];
      return;
    case 'unknown api key':
      h['x-api-key'] = `key-${CANARY}`;
      return;
    case 'api key of another app':
      h['x-api-key'] = w.b.api_key;
      return;
    case 'NUL api key in the query':
      delete h['x-api-key'];
      addQuery('api_key=%00');
      return;
    case 'server token':
      bearer(w.tokens.server);
      return;
    case 'user token':
      bearer(w.tokens.alice);
      return;
  }
}
