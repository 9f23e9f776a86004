import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sweepUploads } from '../src/jobs/upload-sweep';
import { createDiskStorage } from '../src/storage/disk-storage';
import { createUrlSigner } from '../src/storage/url-signer';
import { newTestApp } from './api';
import { getTestStore } from './harness';

/**
 * The sweep of abandoned uploads (a job every 10 minutes): pending uploads past their target's
 * expiry and the grace go with their bytes; refused ones as old go; ready ones and fresh ones stay.
 */

const root = mkdtempSync(join(tmpdir(), 'sweep-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const disk = createDiskStorage({ root, signer: createUrlSigner('k'.repeat(32)) });

describe('the upload sweep', () => {
  it('removes abandoned and refused uploads, and their bytes, and nothing else', async () => {
    const { db } = await getTestStore();
    const t = await newTestApp();
    await t.users('alice');
    const user = await db
      .selectFrom('app_users')
      .select('id')
      .where('app_id', '=', t.app.id)
      .where('external_id', '=', 'alice')
      .executeTakeFirstOrThrow();
    const dayAgo = new Date(Date.now() - 86_400_000);
    const make = async (state: 'pending' | 'ready' | 'refused', expiresAt: Date, createdAt = expiresAt) => {
      const id = randomUUID();
      const key = `${t.app.id}/${id}/original`;
      await disk.write(key, Buffer.from(`bytes of ${state}`), 'text/plain');
      await db
        .insertInto('uploads')
        .values({
          id,
          app_id: t.app.id,
          app_user_id: user.id,
          state,
          name: `${state}.txt`,
          declared_type: 'text/plain',
          declared_size: 20,
          storage_key: key,
          expires_at: expiresAt,
          created_at: createdAt,
        })
        .execute();
      return { id, key };
    };
    const abandoned = await make('pending', dayAgo);
    const refused = await make('refused', dayAgo);
    const fresh = await make('pending', new Date(Date.now() + 900_000));
    const justExpired = await make('pending', new Date(Date.now() - 60_000));
    const ready = await make('ready', dayAgo);

    expect(await sweepUploads(db, disk, 30 * 60_000)).toBeGreaterThanOrEqual(2);
    const left = await db.selectFrom('uploads').select('id').where('app_id', '=', t.app.id).execute();
    expect(left.map((row) => row.id).sort()).toEqual([fresh.id, justExpired.id, ready.id].sort());
    expect(await disk.head(abandoned.key)).toBeNull();
    for (const kept of [fresh, justExpired, ready]) expect(await disk.head(kept.key)).not.toBeNull();
    // Refused uploads lost their bytes at the refusal; the sweep takes their rows.
    expect(left.map((row) => row.id)).not.toContain(refused.id);
  });
});
