import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The server's layout rules (README: Server layout), checked over the source so a change that
 * breaks a seam fails here with the file and import that broke it. Tests are exempt: they may
 * reach anywhere to set up a case.
 */

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

interface SourceFile {
  /** Path under src/, with forward slashes. */
  path: string;
  /** The top-level folder ("room") under src/, or '' for src/index.ts. */
  room: string;
  text: string;
  /** Every relative import, resolved to a path under src/. */
  imports: { spec: string; target: string; targetRoom: string; names: string }[];
}

function listSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return listSources(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

const roomOf = (path: string) => (path.includes('/') ? path.split('/')[0]! : '');

const IMPORT =
  /(?:import|export)\s+(type\s+)?(\{[^}]*\}|\*\s+as\s+\w+|\w+)?\s*(?:,\s*\{[^}]*\})?\s*from\s+'([^']+)'/g;

const sources: SourceFile[] = listSources(SRC).map((full) => {
  const path = relative(SRC, full).split('\\').join('/');
  const text = readFileSync(full, 'utf8');
  const imports = [...text.matchAll(IMPORT)]
    .filter((m) => m[3]!.startsWith('.'))
    .map((m) => {
      const target = relative(SRC, resolve(dirname(full), m[3]!))
        .split('\\')
        .join('/');
      return { spec: m[3]!, target, targetRoom: roomOf(`${target}.ts`), names: m[0] };
    });
  return { path, room: roomOf(path), text, imports };
});

/** Imports that cross from `from` rooms into rooms outside `allowed` (a room may import itself). */
function violations(from: readonly string[], allowed: readonly string[]): string[] {
  return sources
    .filter((f) => from.includes(f.room))
    .flatMap((f) =>
      f.imports
        .filter((i) => i.targetRoom !== f.room && !allowed.includes(i.targetRoom))
        .map((i) => `${f.path} imports ${i.spec}`),
    );
}

/** Imports of `target` rooms from `from` rooms. */
function importsOf(from: readonly string[], targets: readonly string[]): string[] {
  return sources
    .filter((f) => from.includes(f.room))
    .flatMap((f) =>
      f.imports.filter((i) => targets.includes(i.targetRoom)).map((i) => `${f.path} imports ${i.spec}`),
    );
}

const CAPABILITIES = ['storage', 'push', 'webhooks', 'moderation', 'jobs'];
const SURFACES = ['realtime', 'http', 'portal'];

describe('server layout', () => {
  it('finds the source it checks', () => {
    expect(sources.length).toBeGreaterThan(50);
    for (const room of [
      'kernel',
      'store',
      'events',
      'bus',
      'domain',
      'realtime',
      'http',
      'startup',
      ...CAPABILITIES,
    ]) {
      expect(readdirSync(join(SRC, room)).length, room).toBeGreaterThan(0);
    }
  });

  it('the kernel imports nothing of ours outside itself', () => {
    expect(violations(['kernel'], [])).toEqual([]);
  });

  it('the store imports only the kernel; events only the store and the kernel', () => {
    expect(violations(['store'], ['kernel'])).toEqual([]);
    expect(violations(['events'], ['kernel', 'store'])).toEqual([]);
    expect(violations(['limits'], ['kernel'])).toEqual([]);
    expect(violations(['bus'], ['kernel', 'events'])).toEqual([]);
  });

  it('domain code imports only the kernel, the store and the event port', () => {
    expect(violations(['domain'], ['kernel', 'store', 'events'])).toEqual([]);
  });

  it('realtime, http and portal never import each other', () => {
    for (const surface of SURFACES) {
      expect(
        importsOf(
          [surface],
          SURFACES.filter((s) => s !== surface),
        ),
      ).toEqual([]);
    }
  });

  it('capabilities consume events and the domain, never a delivery surface', () => {
    expect(importsOf(CAPABILITIES, [...SURFACES, 'startup'])).toEqual([]);
  });

  it('only the composition root and the package entry import startup (config is shared)', () => {
    const offenders = sources
      .filter((f) => f.room !== 'startup' && f.path !== 'index.ts')
      .flatMap((f) =>
        f.imports
          .filter((i) => i.targetRoom === 'startup' && i.target !== 'startup/config')
          .map((i) => `${f.path} imports ${i.spec}`),
      );
    expect(offenders).toEqual([]);
  });

  // The data-access seam: application code gets a database already scoped to one application
  // (store/data-access.ts), so a query cannot forget app_id. The unscoped handle is for the store
  // itself, the composition root, operator tools and cross-application maintenance jobs.
  it('only the store, startup, admin and jobs touch the unscoped database', () => {
    const UNSCOPED = new Set(['store', 'startup', 'admin', 'jobs']);
    const offenders = sources
      .filter((f) => !UNSCOPED.has(f.room) && f.path !== 'index.ts')
      .flatMap((f) =>
        f.imports
          .filter(
            (i) =>
              (i.target === 'store/schema' && /\bDb\b/.test(i.names)) ||
              (i.target === 'store/database' && /\b(openStore|Store)\b/.test(i.names)),
          )
          .map((i) => `${f.path}: ${i.names}`),
      );
    expect(offenders).toEqual([]);
  });

  it('SQL statements naming tables live in the store (and maintenance jobs), not in raw templates elsewhere', () => {
    const STATEMENT = /\b(from|into|update|join|delete)\s+[a-z_]+/i;
    const offenders = sources
      .filter((f) => f.room !== 'store' && f.room !== 'jobs')
      .flatMap((f) =>
        [...f.text.matchAll(/\bsql(?:<[^>]*>)?`([^`]*)`/g)]
          .filter((m) => STATEMENT.test(m[1]!))
          .map((m) => `${f.path}: ${m[0].slice(0, 80)}`),
      );
    expect(offenders).toEqual([]);
  });

  it('entry files stay small: they compose, the work lives in the files they import', () => {
    const ENTRY = ['index.ts', 'startup/cli.ts', 'http/app.ts', 'http/routes.ts'];
    for (const path of ENTRY) {
      const lines = sources.find((f) => f.path === path)!.text.split('\n').length;
      expect(lines, path).toBeLessThan(200);
    }
  });
});
