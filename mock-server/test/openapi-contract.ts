import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { buildOpenApiDocument } from '../src/http/openapi';
import { VERSION } from '../src/kernel/version';

/**
 * Holds the server to its OpenAPI document: every response a test gets through `Api` must be
 * one the document describes, for that route, method and status, with a body its schema
 * accepts (checked with Ajv). A route the document does not know may only answer 404 in the
 * error shape. A mismatch throws, so the test that met it fails.
 */

type Json = Record<string, any>;

const document = buildOpenApiDocument(VERSION) as Json;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema(document, 'openapi.json');

interface Route {
  method: string;
  template: string;
  pattern: RegExp;
  literals: number;
  responses: Json;
}

const routes: Route[] = Object.entries(document.paths as Json).flatMap(([template, operations]) =>
  Object.entries(operations as Json).map(([method, operation]) => ({
    method: method.toUpperCase(),
    template,
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
    literals: template.split('/').filter((segment) => segment && !segment.startsWith('{')).length,
    responses: (operation as Json).responses,
  })),
);

const validators = new Map<string, ValidateFunction>();
function validatorAt(pointer: string): ValidateFunction {
  let validate = validators.get(pointer);
  if (!validate) {
    validate = ajv.compile({ $ref: `openapi.json#${pointer}` });
    validators.set(pointer, validate);
  }
  return validate;
}

const pointerSegment = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

/** Throws unless the document describes this response. */
export function assertDocumentedResponse(method: string, url: string, status: number, body: unknown): void {
  const path = url.split('?')[0] ?? url;
  const route = routes
    .filter((r) => r.method === method.toUpperCase() && r.pattern.test(path))
    .sort((a, b) => b.literals - a.literals)[0];
  const where = `${method} ${path} → ${status}`;
  if (!route) {
    // Routes the server does not have: only "no such route", in the one error shape.
    if (status !== 404) throw new Error(`OpenAPI: ${where} is not documented`);
    const validate = validatorAt('/components/responses/Error404/content/application~1json/schema');
    if (!validate(body)) throw new Error(`OpenAPI: ${where}: ${ajv.errorsText(validate.errors)}`);
    return;
  }
  let pointer = `/paths/${pointerSegment(route.template)}/${method.toLowerCase()}/responses/${status}`;
  const response = route.responses[String(status)];
  if (!response)
    throw new Error(`OpenAPI: ${where}: status ${status} is not documented for ${route.template}`);
  if (typeof response.$ref === 'string') pointer = response.$ref.slice(1);
  const resolved = response.$ref
    ? document.components.responses[response.$ref.split('/').at(-1)!]
    : (response as Json);
  if (!resolved.content) {
    if (body !== null) throw new Error(`OpenAPI: ${where}: a body where the document has none`);
    return;
  }
  const validate = validatorAt(`${pointer}/content/application~1json/schema`);
  if (!validate(body)) {
    throw new Error(
      `OpenAPI: ${where} does not match the document: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 500)}`,
    );
  }
}
