import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';

/**
 * The TypeScript types openapi-typescript generates from an OpenAPI 3.x document: `paths`,
 * `components` and `operations`, the shape openapi-fetch's `createClient<paths>()` expects.
 * The same output as `npx openapi-typescript <url> -o chat-api.d.ts`.
 */
export async function openApiToTypeScript(document: object): Promise<string> {
  const nodes = await openapiTS(structuredClone(document) as OpenAPI3, { silent: true });
  return astToString(nodes);
}
