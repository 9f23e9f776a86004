import type { SetUploadPolicyBody, UploadPolicy as UploadPolicyView } from '@chat/protocol';
import { ChatError } from '../kernel/errors';
import type { AppDb } from '../store/app-scope';
import type { UploadPolicy } from './upload-policy';

/**
 * Each application's upload policy: the server's defaults until the app sets its own with its
 * server token (`PUT /v1/upload-policy`), one row per app in `upload_policies`.
 *
 * Uploads read it on every slot and completion, and the media worker on every image, so it is
 * kept in memory per app for a few seconds. A change made on a node takes effect there at once
 * (its entry is dropped); other nodes see it within `cacheMs` (5 s by default).
 *
 * `max_bytes` is bounded by the server's ceiling (`CHAT_UPLOAD_MAX_BYTES`): an app cannot set more,
 * and what it set earlier is held to a ceiling lowered since.
 */
export interface UploadPolicies {
  /** The server's ceiling of `max_bytes`. */
  readonly maxBytesCeiling: number;
  /** The policy in force for the app of `db` (cached briefly). */
  forApp(db: AppDb, appId: string): Promise<UploadPolicy>;
  /** The app's policy as the API shows it. */
  view(db: AppDb, appId: string): Promise<UploadPolicyView>;
  /** Changes what `body` gives; the rest keeps its value. Takes effect on this node at once. */
  set(db: AppDb, appId: string, body: SetUploadPolicyBody): Promise<UploadPolicyView>;
}

export interface UploadPoliciesOptions {
  /** What an app has until it says otherwise, and the server-wide settings (URL lifetimes). */
  defaults: UploadPolicy;
  maxBytesCeiling: number;
  /** How long a node keeps an app's policy before reading it again. */
  cacheMs?: number;
}

const DEFAULT_CACHE_MS = 5_000;
/** Apps whose policy a node keeps at once (the oldest go first). */
const CACHE_ENTRIES = 10_000;

interface Stored {
  policy: UploadPolicy;
  updatedAt: Date | null;
}

/** A JSON array column as read: parsed on some drivers, text on others. */
const list = (value: string[] | string | null): string[] | null =>
  typeof value === 'string' ? (JSON.parse(value) as string[]) : value;

export function createUploadPolicies(options: UploadPoliciesOptions): UploadPolicies {
  const { defaults, maxBytesCeiling } = options;
  const cacheMs = options.cacheMs ?? DEFAULT_CACHE_MS;
  const cache = new Map<string, { policy: UploadPolicy; until: number }>();
  // Bumped by each change: a read that began before it must not put the old policy back.
  const generations = new Map<string, number>();
  const baseline: UploadPolicy = { ...defaults, maxBytes: Math.min(defaults.maxBytes, maxBytesCeiling) };

  async function read(db: AppDb): Promise<Stored> {
    const row = await db
      .selectFrom('upload_policies')
      .select([
        'max_bytes',
        'allowed_types',
        'blocked_types',
        'max_image_pixels',
        'uploads_per_minute',
        'updated_at',
      ])
      .executeTakeFirst();
    if (!row) return { policy: baseline, updatedAt: null };
    const allowed = list(row.allowed_types);
    return {
      policy: {
        ...defaults,
        maxBytes: Math.min(Number(row.max_bytes), maxBytesCeiling),
        blockedTypes: list(row.blocked_types) ?? [],
        ...(allowed ? { allowedTypes: allowed } : { allowedTypes: undefined }),
        maxImagePixels: Number(row.max_image_pixels),
        uploadsPerMinute: row.uploads_per_minute,
      },
      updatedAt: new Date(row.updated_at),
    };
  }

  const toView = ({ policy, updatedAt }: Stored): UploadPolicyView => ({
    max_bytes: policy.maxBytes,
    max_bytes_ceiling: maxBytesCeiling,
    allowed_types: policy.allowedTypes ? [...policy.allowedTypes] : null,
    blocked_types: [...policy.blockedTypes],
    max_image_pixels: policy.maxImagePixels,
    uploads_per_minute: policy.uploadsPerMinute,
    updated_at: updatedAt?.toISOString() ?? null,
  });

  return {
    maxBytesCeiling,
    async forApp(db, appId) {
      const hit = cache.get(appId);
      if (hit && hit.until > Date.now()) return hit.policy;
      const generation = generations.get(appId) ?? 0;
      const { policy } = await read(db);
      if ((generations.get(appId) ?? 0) === generation) {
        cache.delete(appId);
        if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
        cache.set(appId, { policy, until: Date.now() + cacheMs });
      }
      return policy;
    },
    async view(db) {
      return toView(await read(db));
    },
    async set(db, appId, body) {
      if (body.max_bytes !== undefined && body.max_bytes > maxBytesCeiling) {
        throw new ChatError('validation_failed', `max_bytes is at most ${maxBytesCeiling} on this server`, {
          issues: [
            {
              path: ['max_bytes'],
              message: `At most ${maxBytesCeiling} bytes (this server's ceiling, CHAT_UPLOAD_MAX_BYTES)`,
            },
          ],
          location: 'body',
        });
      }
      // Only what is given is written over a stored policy, in one statement: two changes of
      // different fields at once both stay.
      const given = {
        ...(body.max_bytes !== undefined && { max_bytes: body.max_bytes }),
        ...(body.allowed_types !== undefined && {
          allowed_types: body.allowed_types && JSON.stringify(body.allowed_types),
        }),
        ...(body.blocked_types !== undefined && { blocked_types: JSON.stringify(body.blocked_types) }),
        ...(body.max_image_pixels !== undefined && { max_image_pixels: body.max_image_pixels }),
        ...(body.uploads_per_minute !== undefined && { uploads_per_minute: body.uploads_per_minute }),
        updated_at: new Date(),
      };
      await db
        .insertInto('upload_policies')
        .values({
          app_id: appId,
          max_bytes: baseline.maxBytes,
          allowed_types: baseline.allowedTypes ? JSON.stringify(baseline.allowedTypes) : null,
          blocked_types: JSON.stringify(baseline.blockedTypes),
          max_image_pixels: baseline.maxImagePixels,
          uploads_per_minute: baseline.uploadsPerMinute,
          ...given,
        })
        .onConflict((oc) => oc.column('app_id').doUpdateSet(given))
        .execute();
      generations.set(appId, (generations.get(appId) ?? 0) + 1);
      cache.delete(appId);
      return toView(await read(db));
    },
  };
}
