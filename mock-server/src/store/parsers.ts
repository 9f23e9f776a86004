import { types as pgliteTypes } from '@electric-sql/pglite';
import pg from 'pg';

/**
 * How column values come back, identical on both backends: bigint as a JS number, timestamptz as
 * a Date, text[] as string[], jsonb as objects. The last three are both drivers' defaults; bigint
 * is not (pg gives strings, PGlite numbers or BigInts), so it is set here for both.
 */

const INT8 = 20;
const INT8_ARRAY = 1016;

/**
 * Our bigints (channel seq, outbox ids, file sizes, counts) stay far below 2^53, so a number is
 * exact and easier to use than a string or a BigInt. Past that limit a number would silently
 * lose digits, so we fail loudly instead.
 */
export function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`bigint ${text} does not fit in a JS number without losing precision`);
  }
  return value;
}

/** For PGlite: its array parser applies this to int8[] elements too. */
export const pgliteParsers = { [pgliteTypes.INT8]: parseInt8 };

type Parser = (text: string) => unknown;
/** pg's own parsers, typed by plain oid (its enum leaves some out, int8[] among them). */
const defaultParser = pg.types.getTypeParser as (oid: number, format?: 'text' | 'binary') => Parser;
const parseInt8ArrayAsStrings = defaultParser(INT8_ARRAY) as (text: string) => (string | null)[];

/** For a `pg` Pool, per client: the global `pg.types` registry is left alone for other users. */
export const pgTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): Parser => {
    if (oid === INT8) return parseInt8;
    if (oid === INT8_ARRAY) {
      return (text) => parseInt8ArrayAsStrings(text).map((x) => (x === null ? null : parseInt8(x)));
    }
    return defaultParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};
