import { type Endpoint, endpoints, errorResponse } from '@chat/protocol';
import { z } from 'zod';

type JsonSchema = Record<string, unknown>;

const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    target: 'draft-2020-12',
  }) as JsonSchema;
  return rest;
};

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  const json = toSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: property,
  }));
}

const STATUS_TEXT: Record<number, string> = { 200: 'OK', 201: 'Created', 204: 'No Content' };

/**
 * The OpenAPI 3.1 document of the REST API, generated from the same protocol table and schemas
 * the routes validate with, so the two cannot drift apart.
 */
export function buildOpenApiDocument(version: string): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  const error = {
    description: 'Error',
    content: { 'application/json': { schema: toSchema(errorResponse, 'output') } },
  };
  for (const [name, e] of Object.entries(endpoints) as [string, Endpoint][]) {
    const status = e.status ?? 200;
    const security = e.auth === 'public' ? [{ apiKey: [] }] : [{ apiKey: [], bearer: [] }];
    paths[e.path] ??= {};
    paths[e.path]![e.method.toLowerCase()] = {
      operationId: name,
      summary: e.summary,
      description:
        e.auth === 'server'
          ? 'Needs a server-side token (signed with the app secret, `server: true`).'
          : undefined,
      security,
      parameters: [...parameters(e.params, 'path'), ...parameters(e.query, 'query')],
      ...(e.body && {
        requestBody: {
          required: true,
          content: { 'application/json': { schema: toSchema(e.body, 'input') } },
        },
      }),
      responses: {
        [status]: {
          description: STATUS_TEXT[status],
          content: { 'application/json': { schema: toSchema(e.response, 'output') } },
        },
        '4XX': error,
        '5XX': error,
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Chat REST API', version, description: 'REST API v1 of the chat reference server.' },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        apiKey: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Api-Key',
          description: 'The application api key (or ?api_key=).',
        },
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'A user token (HS256, app secret).',
        },
      },
    },
    paths,
  };
}
