import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import SwaggerParser from '@apidevtools/swagger-parser';
import { endpoints } from '@chat/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer } from './api';

/**
 * The served OpenAPI document, checked by tools nobody here wrote: Redocly's linter (its
 * recommended rules) must report no error, and swagger-parser must validate it. What generators
 * and documentation viewers need: every reference resolves, every operation is named.
 */

const run = promisify(execFile);
let document: Record<string, any>;
let dir: string;
let file: string;

beforeAll(async () => {
  const server = await getTestServer();
  document = (await (await fetch(`${server.url}/v1/openapi.json`)).json()) as Record<string, any>;
  dir = mkdtempSync(join(tmpdir(), 'openapi-'));
  file = join(dir, 'openapi.json');
  writeFileSync(file, JSON.stringify(document));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the OpenAPI document', () => {
  it('passes Redocly lint with no error', { timeout: 60_000 }, async () => {
    const redocly = join(process.cwd(), 'node_modules/.bin/redocly');
    const bin = (await import('node:fs')).existsSync(redocly)
      ? redocly
      : join(process.cwd(), '../node_modules/.bin/redocly');
    const { stdout, stderr } = await run(bin, ['lint', file, '--format=json', '--max-problems=1000'], {
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { stdout: string; stderr: string }) => error);
    const report = JSON.parse(stdout) as {
      totals: { errors: number };
      problems: { message: string; severity: string }[];
    };
    const errors = report.problems.filter((p) => p.severity === 'error').map((p) => p.message);
    expect(errors, stderr).toEqual([]);
    expect(report.totals.errors).toBe(0);
  });

  it('is valid for swagger-parser, every reference resolving', async () => {
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeTruthy();
  });

  it('names every operation, tags it, and gives every body an example', () => {
    const operations = Object.values(document.paths).flatMap((ops: any) => Object.values(ops)) as any[];
    const ids = operations.map((op) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const name of Object.keys(endpoints)) expect(ids).toContain(name);
    for (const op of operations) {
      expect(op.tags?.length, op.operationId).toBeGreaterThan(0);
      // Bodies of the protocol's operations (error responses are shared components, by $ref).
      const media = [op.requestBody, ...Object.values(op.responses)]
        .map((r: any) => r?.content?.['application/json'])
        .filter(Boolean);
      for (const m of media) if (op.operationId in endpoints) expect(m.example, op.operationId).toBeDefined();
    }
    // No schema zod could only call __schemaN: generated clients get real names.
    expect(JSON.stringify(document)).not.toMatch(/__schema|#\/\$defs\//);
    expect(document.components.securitySchemes).toHaveProperty('serverToken');
    expect(document.info.license.identifier).toBe('MIT');
  });
});
