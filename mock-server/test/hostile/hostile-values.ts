import { randomBytes } from 'node:crypto';
import fc from 'fast-check';

/**
 * The hostile values mutations put into inputs, as recipes: small to print in a counterexample
 * (a 100,000-character string is described, not shown) and turned into the value sent only when
 * the case runs.
 */

/**
 * Marks text the suite submits, so that a log line quoting any of it is found by one search.
 * Letters and digits only: it reads the same raw, JSON-escaped and percent-encoded.
 */
export const CANARY = `cnry${randomBytes(5).toString('hex')}`;

export type ValueRecipe =
  | { kind: 'text'; text: string }
  /** `unit` repeated to `length` characters, then the canary. */
  | { kind: 'long-text'; unit: string; length: number }
  | { kind: 'json'; value: unknown }
  /** An array of `length` copies of the value it replaces (or of a string). */
  | { kind: 'huge-array'; length: number }
  | { kind: 'nested'; depth: number; shape: 'object' | 'array' }
  /** A value of the right type that its field's schema may pass but the database may not (see `nearMisses`). */
  | { kind: 'near-miss'; pick: number };

/** Characters that break naive code: storage, rendering, parsing, or all three. */
export const SPECIAL_TEXT = {
  nul: '\u0000',
  'lone high surrogate': '\ud800',
  'lone low surrogate': '\udfff',
  'reversed surrogate pair': '\udc00\ud83d',
  'byte order mark': '\ufeff',
  'right-to-left override': '\u202e',
  'right-to-left mark': '\u200f',
  'zero-width joiner': '\u200d',
  emoji: '👩‍👩‍👧‍👦',
  flag: '🇺🇦',
  'combining marks': 'e\u0301\u0302\u0303',
  'control characters': '\u0001\u001b[31m\u007f',
  'line breaks': '\r\n\u2028\u2029',
  quotes: `'"\\\`\u2019`,
  'sql-looking': "'; drop table messages; --",
  'html-looking': '<img src=x onerror=alert(1)>',
  'percent-encoded NUL': '%00',
  'highest code point': '\u{10ffff}',
  noncharacters: '\ufffe\uffff',
  'no-break space': '\u00a0',
} as const;

/** Text built around one special character, placed at the start, middle or end, or alone. */
const specialText = fc
  .tuple(
    fc.constantFrom(...Object.values(SPECIAL_TEXT)),
    fc.constantFrom('start', 'middle', 'end', 'alone'),
    fc.string({ maxLength: 6 }),
  )
  .map(([special, where, filler]): ValueRecipe => {
    const text =
      where === 'alone'
        ? special
        : where === 'start'
          ? `${special}${filler}${CANARY}`
          : where === 'end'
            ? `${filler}${CANARY}${special}`
            : `${filler}${CANARY}${special}${filler}`;
    return { kind: 'text', text };
  });

/** Arbitrary code units, surrogates included in any order. */
const codeUnitText = fc
  .array(fc.integer({ min: 0, max: 0xffff }), { minLength: 1, maxLength: 12 })
  .map((units): ValueRecipe => ({ kind: 'text', text: `${CANARY}${String.fromCharCode(...units)}` }));

/** Arbitrary well-formed text from the whole of Unicode. */
const unicodeText = fc
  .string({ unit: 'grapheme', maxLength: 12 })
  .map((text): ValueRecipe => ({ kind: 'text', text: `${text}${CANARY}` }));

const plainText = fc.constantFrom<ValueRecipe>(
  { kind: 'text', text: '' },
  { kind: 'text', text: ' \t\n ' },
  { kind: 'text', text: CANARY },
  { kind: 'text', text: `a:${CANARY}` },
  { kind: 'text', text: '..' },
  { kind: 'text', text: '-1' },
  { kind: 'text', text: '1e400' },
  { kind: 'text', text: 'null' },
  { kind: 'text', text: '00000000-0000-0000-0000-000000000000' },
);

/** Strings past every length limit of the protocol (names, ids, texts, custom data). */
const longText = (maxLength: number) =>
  fc
    .record({
      unit: fc.constantFrom('x', 'é', '👍', '\u0000', '\ud800', ' '),
      length: fc.constantFrom(33, 65, 129, 201, 513, 2_049, 5_001, 100_000).filter((n) => n <= maxLength),
    })
    .map(({ unit, length }): ValueRecipe => ({ kind: 'long-text', unit, length }));

/** Hostile text. `maxLength` keeps it short where the HTTP layer has its own limits (URLs). */
export const hostileText = (maxLength = 100_000): fc.Arbitrary<ValueRecipe> =>
  fc.oneof(
    { arbitrary: specialText, weight: 5 },
    { arbitrary: codeUnitText, weight: 2 },
    { arbitrary: unicodeText, weight: 1 },
    { arbitrary: plainText, weight: 1 },
    { arbitrary: longText(maxLength), weight: 1 },
  );

const edgeNumbers = fc.constantFrom(
  -1,
  0,
  -0,
  0.5,
  1.5,
  2 ** 31,
  2 ** 53,
  2 ** 53 + 2,
  1e21,
  1e308,
  -1e308,
  5e-324,
  Number.MAX_SAFE_INTEGER,
);

/** A value of any other JSON type than expected, or a number out of any range. */
export const wrongType: fc.Arbitrary<ValueRecipe> = fc
  .oneof(
    edgeNumbers,
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.constant([]),
    fc.constant({}),
    fc.constant([CANARY]),
    fc.constant({ value: CANARY }),
    fc.constant('1'),
  )
  .map((value): ValueRecipe => ({ kind: 'json', value }));

export const hugeArray: fc.Arbitrary<ValueRecipe> = fc
  .constantFrom(101, 1_001, 20_000)
  .map((length): ValueRecipe => ({ kind: 'huge-array', length }));

export const deepNesting: fc.Arbitrary<ValueRecipe> = fc
  .record({
    depth: fc.constantFrom(33, 100, 1_000),
    shape: fc.constantFrom('object' as const, 'array' as const),
  })
  .map(({ depth, shape }): ValueRecipe => ({ kind: 'nested', depth, shape }));

export const nearMiss: fc.Arbitrary<ValueRecipe> = fc
  .nat()
  .map((pick): ValueRecipe => ({ kind: 'near-miss', pick }));

/** Any hostile JSON value for a body or frame field. */
export const hostileJson: fc.Arbitrary<ValueRecipe> = fc.oneof(
  { arbitrary: hostileText(), weight: 6 },
  { arbitrary: nearMiss, weight: 2 },
  { arbitrary: wrongType, weight: 3 },
  { arbitrary: hugeArray, weight: 1 },
  { arbitrary: deepNesting, weight: 1 },
);

const ISO_TIME = /^\d{4}-\d\d-\d\dT/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/** Times at the edges of what ISO 8601, JavaScript and PostgreSQL each accept. */
const TIME_EDGES = [
  '0000-01-01T00:00:00Z',
  '0001-01-01T00:00:00+01:00',
  '9999-12-31T23:59:59.999-23:59',
  '2024-02-30T00:00:00Z',
  '2024-01-01T24:00:00Z',
  '1970-01-01T00:00:00.123456789Z',
  '2024-01-01T00:00:00+23:59',
  '2024-01-01',
];

/**
 * Values of the right shape for a field (`current` is its valid value) that its schema may let
 * through but that only the database would check: times out of its range, odd but valid uuids,
 * forged pagination cursors, numbers at the edges.
 */
export function nearMisses(current: unknown, key: string | number | undefined): unknown[] {
  if (key === 'cursor') {
    return [
      ...TIME_EDGES.flatMap((time) => [cursor({ k: time, id: NIL_UUID }), cursor({ t: time, id: NIL_UUID })]),
      cursor({ k: '2024-01-01T00:00:00Z', id: 'not-a-uuid' }),
      cursor(null),
      cursor([]),
      Buffer.from('{"__proto__":{"k":1}}').toString('base64url'),
      '////',
      '',
    ];
  }
  if (typeof current === 'number' || key === 'since' || key === 'limit' || key === 'timeout') {
    return [-1, 0, 0.5, 2 ** 31, 2 ** 53, 2 ** 53 + 2, 1e308, Number.MAX_SAFE_INTEGER];
  }
  if (typeof current === 'string' && ISO_TIME.test(current)) return TIME_EDGES;
  if (typeof current === 'string' && UUID.test(current)) {
    return [
      NIL_UUID,
      'ffffffff-ffff-ffff-ffff-ffffffffffff',
      current.toUpperCase(),
      `{${current}}`,
      current.replaceAll('-', ''),
    ];
  }
  return ['', ' ', '0', '-1', 'null', NIL_UUID, '2024-01-01T00:00:00Z'];
}

/** The value a recipe stands for; `current` is the value it replaces, at `key`. */
export function materialize(recipe: ValueRecipe, current?: unknown, key?: string | number): unknown {
  switch (recipe.kind) {
    case 'near-miss': {
      const values = nearMisses(current, key);
      return values[recipe.pick % values.length];
    }
    case 'text':
      return recipe.text;
    case 'long-text':
      return `${recipe.unit.repeat(Math.ceil(recipe.length / recipe.unit.length)).slice(0, recipe.length)}${CANARY}`;
    case 'json':
      return structuredClone(recipe.value);
    case 'huge-array': {
      const item = Array.isArray(current) && current.length > 0 ? current[0] : (current ?? CANARY);
      return Array.from({ length: recipe.length }, () => structuredClone(item));
    }
    case 'nested': {
      let value: unknown = CANARY;
      for (let i = 0; i < recipe.depth; i++) value = recipe.shape === 'object' ? { a: value } : [value];
      return value;
    }
  }
}

/** Keys an input must not have: unknown ones, and ones that reach prototypes. */
export const extraKey = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  'admin',
  'role',
  'app_id',
  'id',
  'user_id',
  '',
  `k${CANARY}\u0000`,
  `k${CANARY}\ud800`,
  '\ufeff',
  'a'.repeat(65),
);
