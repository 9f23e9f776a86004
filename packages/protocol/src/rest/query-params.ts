import { z } from 'zod';
import { LIMITS } from '../limits';

/** Query strings carry text: these turn `?limit=20` and `?ids=a,b` into typed values. */
export const limitParam = z.coerce.number().int().min(1).max(LIMITS.PAGE_SIZE_MAX).optional();

export const listParam = <T extends z.ZodType<string>>(item: T, max: number) =>
  z.preprocess(
    (value) => (typeof value === 'string' ? (value === '' ? [] : value.split(',')) : value),
    z.array(item).max(max),
  );
