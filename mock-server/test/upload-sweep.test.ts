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
 * expiry and the grace go with their bytes; refused ones as old go; ready ones on no message go a
 * week after their completion, with their thumbnails; ready ones on a message and fresh ones stay.
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
    const make = async (
      state: 'pending' | 'ready' | 'refused',
      expiresAt: Date,
      createdAt = expiresAt,
      completedAt: Date | null = state === 'ready' ? createdAt : null,
    ) => {
      const id = randomUUID();
      const key = `${t.app.id}/${id}/original`;
      const thumb = `${t.app.id}/${id}/thumb-360.webp`;
      await disk.write(key, Buffer.from(`bytes of ${state}`), 'text/plain');
      await disk.write(thumb, Buffer.from('a thumbnail'), 'image/webp');
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
          completed_at: completedAt,
          thumbnails: JSON.stringify([{ key: thumb, width: 360, height: 240 }]),
        })
        .execute();
      return { id, key, thumb };
    };
    const abandoned = await make('pending', dayAgo);
    const refused = await make('refused', dayAgo);
    const fresh = await make('pending', new Date(Date.now() + 900_000));
    const justExpired = await make('pending', new Date(Date.now() - 60_000));
    const ready = await make('ready', dayAgo);
    const weeksAgo = new Date(Date.now() - 8 * 86_400_000);
    const unused = await make('ready', weeksAgo);
    const attached = await make('ready', weeksAgo);
    // On a message: kept however old.
    const alice = await t.user('alice');
    const channel = await alice.post('/v1/channels', {
      type: 'messaging',
      id: `sweep-${randomUUID()}`,
      members: ['alice'],
    });
    expect(channel.status).toBe(201);
    const sent = await alice.post(`/v1/channels/messaging/${channel.body.channel.id}/messages`, {
      client_msg_id: randomUUID(),
      text: 'with a file',
    });
    expect(sent.status).toBe(201);
    await db
      .updateTable('uploads')
      .set({ message_id: sent.body.message.id })
      .where('id', '=', attached.id)
      .execute();

    expect(await sweepUploads(db, disk, 30 * 60_000)).toBeGreaterThanOrEqual(3);
    const left = await db.selectFrom('uploads').select('id').where('app_id', '=', t.app.id).execute();
    expect(left.map((row) => row.id).sort()).toEqual(
      [fresh.id, justExpired.id, ready.id, attached.id].sort(),
    );
    expect(await disk.head(abandoned.key)).toBeNull();
    expect(await disk.head(unused.key)).toBeNull();
    expect(await disk.head(unused.thumb)).toBeNull();
    for (const kept of [fresh, justExpired, ready, attached])
      expect(await disk.head(kept.key)).not.toBeNull();
    expect(await disk.head(attached.thumb)).not.toBeNull();
    // Refused uploads lost their bytes at the refusal; the sweep takes their rows.
    expect(left.map((row) => row.id)).not.toContain(refused.id);
  });
});
