import { z } from 'zod';
import { name, timestamp } from '../primitives';

/** A tenant. `api_key` is public; the secret never leaves the server except once, at creation. */
export const application = z.object({
  id: z.uuid(),
  name,
  api_key: z.string(),
  allow_registration: z.boolean(),
  allowed_origins: z.array(z.string()),
  is_active: z.boolean(),
  created_at: timestamp,
});
export type Application = z.infer<typeof application>;
