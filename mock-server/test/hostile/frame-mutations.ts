import { type ClientFrameType, clientFrame } from '@chat/protocol';
import fc from 'fast-check';
import type { z } from 'zod';
import { deepNesting, extraKey, hostileJson, hugeArray, type ValueRecipe, wrongType } from './hostile-values';
import { type IdKind, idKindAt, type Owner, ownersOf } from './id-kinds';
import { getAt, objectPaths, pathsIn } from './json-paths';
import { type Path, schemaFields } from './schema-paths';
import type { Frame } from './valid-inputs';

export type FrameMutation =
  | { kind: 'set'; path: Path; value: ValueRecipe }
  | { kind: 'delete'; path: Path }
  | { kind: 'extra-key'; path: Path; key: string; value: ValueRecipe }
  | { kind: 'foreign-id'; path: Path; id: IdKind; owner: Owner }
  | { kind: 'server-only-field'; path: Path; value: string }
  | { kind: 'encoding'; variant: FrameEncoding };

export interface FrameCase {
  type: ClientFrameType;
  mutation: FrameMutation;
}

export const FRAME_ENCODINGS = [
  'binary',
  'binary with invalid UTF-8',
  'not JSON',
  'truncated JSON',
  'empty',
  'over 64 KiB',
  'nested 20,000 deep',
  'array of the frame',
  'JSON string of the frame',
  'byte order mark',
] as const;
export type FrameEncoding = (typeof FRAME_ENCODINGS)[number];

/** Frame fields that only a server-side sender could set; a socket is always a user's. */
const SERVER_ONLY_FIELDS: Partial<Record<ClientFrameType, Path[]>> = {
  'message.send': [['message', 'user_id']],
};

export function frameSchema(type: ClientFrameType): z.ZodType {
  const schema = clientFrame.options.find((option) => option.shape.type.value === type);
  if (!schema) throw new Error(`no schema for ${type}`);
  return schema;
}

export function frameIdPaths(sample: Frame): { path: Path; id: IdKind }[] {
  return pathsIn(sample).flatMap((path) => {
    const id = idKindAt(path, getAt(sample, path));
    return id ? [{ path, id }] : [];
  });
}

/** Hostile frames of one type: mutations of its valid sample. */
export function frameCases(type: ClientFrameType, sample: Frame): fc.Arbitrary<FrameCase> {
  const declared = schemaFields(frameSchema(type)).map((field) => field.path);
  const paths = [
    ...new Map([...declared, ...pathsIn(sample)].map((p) => [JSON.stringify(p), p])).values(),
  ].filter((p) => p.length > 0);
  const options: { arbitrary: fc.Arbitrary<FrameMutation>; weight: number }[] = [
    {
      arbitrary: fc.record({
        kind: fc.constant('set' as const),
        path: fc.constantFrom(...paths),
        value: hostileJson,
      }),
      weight: 8,
    },
    {
      arbitrary: fc.record({
        kind: fc.constant('set' as const),
        path: fc.constant([]),
        value: fc.oneof(wrongType, hugeArray, deepNesting),
      }),
      weight: 1,
    },
    {
      arbitrary: fc.record({
        kind: fc.constant('extra-key' as const),
        path: fc.constantFrom(...objectPaths(sample)),
        key: extraKey,
        value: hostileJson,
      }),
      weight: 2,
    },
    {
      arbitrary: fc.record({
        kind: fc.constant('delete' as const),
        path: fc.constantFrom(...pathsIn(sample)),
      }),
      weight: 2,
    },
    {
      arbitrary: fc.record({
        kind: fc.constant('encoding' as const),
        variant: fc.constantFrom(...FRAME_ENCODINGS),
      }),
      weight: 2,
    },
  ];
  const ids = frameIdPaths(sample);
  if (ids.length > 0) {
    options.push({
      arbitrary: fc
        .constantFrom(...ids)
        .chain(({ path, id }) =>
          fc
            .constantFrom(...ownersOf(id))
            .map((owner): FrameMutation => ({ kind: 'foreign-id', path, id, owner })),
        ),
      weight: 3,
    });
  }
  const serverOnly = SERVER_ONLY_FIELDS[type];
  if (serverOnly) {
    options.push({
      arbitrary: fc.record({
        kind: fc.constant('server-only-field' as const),
        path: fc.constantFrom(...serverOnly),
        value: fc.constantFrom('bob', 'erin'),
      }),
      weight: 1,
    });
  }
  return fc.oneof(...options).map((mutation) => ({ type, mutation }));
}
