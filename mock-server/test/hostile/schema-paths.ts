import type { z } from 'zod';

export type Path = (string | number)[];

/** What a schema expects at a path, as far as mutations need to know. */
export type FieldKind =
  | 'object'
  | 'array'
  | 'record'
  | 'json'
  | 'string'
  | 'time'
  | 'number'
  | 'boolean'
  | 'other';

export interface Field {
  path: Path;
  kind: FieldKind;
}

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  values?: unknown[];
  format?: string;
}

const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The key standing for any key of a record (custom data): mutations put their own keys there. */
export const ANY_KEY = 'key';

/**
 * Every field a schema declares, optional ones included, with its kind: array elements appear
 * as index 0 and record entries as `ANY_KEY`. This is how the suite reaches fields that a valid
 * sample leaves out, and notices fields added to the protocol later.
 */
export function schemaFields(schema: z.ZodType | undefined, path: Path = []): Field[] {
  if (!schema) return [];
  const def = defOf(schema);
  switch (def.type) {
    case 'object':
      return [
        { path, kind: 'object' },
        ...Object.entries(def.shape ?? {}).flatMap(([key, field]) => schemaFields(field, [...path, key])),
      ];
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'nonoptional':
    case 'catch':
      return schemaFields(def.innerType, path);
    case 'pipe':
      // z.preprocess is a pipe from a transform: the schema that validates is its output.
      return schemaFields(defOf(def.in!).type === 'transform' ? def.out : def.in, path);
    case 'array':
      return [{ path, kind: 'array' }, ...schemaFields(def.element, [...path, 0])];
    case 'record':
      return [{ path, kind: 'record' }, ...schemaFields(def.valueType, [...path, ANY_KEY])];
    case 'lazy':
      return [{ path, kind: 'json' }];
    case 'union': {
      const all = (def.options ?? []).flatMap((option) => schemaFields(option, path));
      return dedupe(all);
    }
    case 'literal':
      return [{ path, kind: typeof def.values?.[0] === 'number' ? 'number' : 'string' }];
    case 'string':
      return [{ path, kind: def.format === 'datetime' ? 'time' : 'string' }];
    case 'enum':
      return [{ path, kind: 'string' }];
    case 'number':
      return [{ path, kind: 'number' }];
    case 'boolean':
      return [{ path, kind: 'boolean' }];
    default:
      return [{ path, kind: 'other' }];
  }
}

function dedupe(fields: Field[]): Field[] {
  const seen = new Map<string, Field>();
  for (const field of fields) {
    const key = JSON.stringify(field.path);
    // A union of a string and an array of strings at one path is both: keep the container.
    if (!seen.has(key) || field.kind === 'array') seen.set(key, field);
  }
  return [...seen.values()];
}
