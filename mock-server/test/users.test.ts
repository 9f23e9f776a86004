import { describe, expect, it } from 'vitest';
import { newTestApp } from './api';
import { expectError, expectInvalid, expectUnknownKey, ids, usersOf } from './rest-helpers';

/** Custom data of about `bytes` bytes of JSON. */
const customOfSize = (bytes: number) => ({ blob: 'x'.repeat(bytes - 12) });
/** `{ a: { a: ... } }`, `levels` objects deep (the outer object is level 1). */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
}

describe('POST /v1/users (upsert, server-side)', () => {
  it('creates users with every field, then updates only the fields given', async () => {
    const t = await newTestApp();
    const created = await t.server.post('/v1/users', {
      users: [
        {
          id: 'ann',
          name: 'Ann',
          image: 'https://img.example/ann.png',
          role: 'admin',
          custom: { team: 'red' },
        },
        { id: 'ben.b@x!', name: 'Ben' },
      ],
    });
    expect(created.status).toBe(200);
    expect(created.body.users).toHaveLength(2);
    expect(created.body.users[0]).toMatchObject({
      id: 'ann',
      name: 'Ann',
      image: 'https://img.example/ann.png',
      role: 'admin',
      custom: { team: 'red' },
      online: false,
    });
    expect(created.body.users[1]).toMatchObject({
      id: 'ben.b@x!',
      name: 'Ben',
      image: null,
      role: 'user',
      custom: {},
    });

    const updated = await t.server.post('/v1/users', { users: [{ id: 'ann', name: 'Annie' }] });
    expect(updated.status).toBe(200);
    expect(updated.body.users[0]).toMatchObject({
      id: 'ann',
      name: 'Annie',
      image: 'https://img.example/ann.png',
      role: 'admin',
      custom: { team: 'red' },
    });
    expect(updated.body.users[0].created_at).toBe(created.body.users[0].created_at);

    const cleared = await t.server.post('/v1/users', { users: [{ id: 'ann', image: null, custom: {} }] });
    expect(cleared.body.users[0]).toMatchObject({ name: 'Annie', image: null, custom: {} });
  });

  it('is for server-side tokens only', async () => {
    const t = await newTestApp();
    const [ann] = await usersOf(t, 'ann');
    expectError(await ann.post('/v1/users', { users: [{ id: 'eve', name: 'Eve' }] }), 403, 'forbidden');
    expectError(await ann.post('/v1/users', { users: [{ id: 'ann', role: 'admin' }] }), 403, 'forbidden');
    expectError(await t.anonymous.post('/v1/users', { users: [{ id: 'eve' }] }), 401, 'unauthenticated');
    const after = await t.server.get('/v1/users?ids=ann,eve');
    expect(after.body.users).toHaveLength(1);
    expect(after.body.users[0]).toMatchObject({ id: 'ann', role: 'user', name: 'ANN' });
  });

  it('rejects bad input naming the field, and stores none of the batch', async () => {
    const t = await newTestApp();
    const ok = { id: 'ok-user', name: 'Ok' };
    const cases: [unknown, (string | number)[]][] = [
      [{ users: [] }, ['users']],
      [{ users: Array.from({ length: 101 }, (_, i) => ({ id: `u${i}` })) }, ['users']],
      [{ users: [ok, { id: 'has space' }] }, ['users', 1, 'id']],
      [{ users: [ok, { id: '' }] }, ['users', 1, 'id']],
      [{ users: [ok, { id: 'x'.repeat(129) }] }, ['users', 1, 'id']],
      [{ users: [ok, { id: 'v', image: 'javascript:alert(1)' }] }, ['users', 1, 'image']],
      [{ users: [ok, { id: 'v', image: 'ftp://files.example/a.png' }] }, ['users', 1, 'image']],
      [{ users: [ok, { id: 'v', role: 'owner' }] }, ['users', 1, 'role']],
      [{ users: [ok, { id: 'v', name: 'n'.repeat(201) }] }, ['users', 1, 'name']],
      [{ users: [ok, { id: 'v', custom: customOfSize(6000) }] }, ['users', 1, 'custom']],
      [{ users: [ok, { id: 'v', custom: [1, 2] }] }, ['users', 1, 'custom']],
      [{ users: ok }, ['users']],
      [{}, ['users']],
    ];
    for (const [body, path] of cases) expectInvalid(await t.server.post('/v1/users', body), path);
    expectUnknownKey(
      await t.server.post('/v1/users', { users: [ok, { id: 'v', password: 'secret' }] }),
      'password',
      ['users', 1],
    );
    const after = await t.server.get('/v1/users?ids=ok-user,v,u0');
    expect(after.body.users).toEqual([]);
  });
});

describe('GET /v1/users/{userId}', () => {
  it('returns one user of the app; 404 for unknown or foreign users; 400 for a bad id', async () => {
    const t = await newTestApp();
    const other = await newTestApp();
    const [ann] = await usersOf(t, 'ann', 'ben');
    await usersOf(other, 'zed');

    const ben = await ann.get('/v1/users/ben');
    expect(ben.status).toBe(200);
    expect(ben.body.user).toMatchObject({ id: 'ben', name: 'BEN', role: 'user', online: false });
    expect(Object.keys(ben.body.user).sort()).toEqual(
      [
        'created_at',
        'custom',
        'id',
        'image',
        'last_active_at',
        'name',
        'online',
        'role',
        'updated_at',
      ].sort(),
    );

    expectError(await ann.get('/v1/users/nobody'), 404, 'not_found');
    expectError(await ann.get('/v1/users/zed'), 404, 'not_found');
    expectInvalid(await ann.get('/v1/users/bad%20id'), ['userId']);
    expectError(await t.anonymous.get('/v1/users/ben'), 401, 'unauthenticated');
  });
});

describe('GET /v1/users (query)', () => {
  it('finds users by ids, skipping unknown ones, sorted by id', async () => {
    const t = await newTestApp();
    const [ann] = await usersOf(t, 'ann', 'ben', 'cat');
    const found = await ann.get('/v1/users?ids=cat,ann,ghost');
    expect(found.status).toBe(200);
    expect(ids(found.body.users)).toEqual(['ann', 'cat']);
    expect((await ann.get('/v1/users?ids=ghost')).body.users).toEqual([]);
  });

  it('finds users by a case-insensitive prefix of id or name, with a limit', async () => {
    const t = await newTestApp();
    await t.server.post('/v1/users', {
      users: [
        { id: 'u1', name: 'Alice Smith' },
        { id: 'u2', name: 'alfred' },
        { id: 'alvin', name: 'Zed' },
        { id: 'u3', name: 'Bob' },
        { id: 'u4', name: '50% off' },
        { id: 'u5', name: '50 cents' },
      ],
    });
    const me = await t.user('u3');
    expect(ids((await me.get('/v1/users?q=al')).body.users)).toEqual(['alvin', 'u1', 'u2']);
    expect(ids((await me.get('/v1/users?q=AL')).body.users)).toEqual(['alvin', 'u1', 'u2']);
    expect(ids((await me.get('/v1/users?q=al&limit=2')).body.users)).toEqual(['alvin', 'u1']);
    expect(ids((await me.get('/v1/users?q=alice%20s')).body.users)).toEqual(['u1']);
    // LIKE wildcards in the prefix are literal characters.
    expect(ids((await me.get('/v1/users?q=50%25')).body.users)).toEqual(['u4']);
    expect(ids((await me.get('/v1/users?q=_')).body.users)).toEqual([]);
    expect((await me.get('/v1/users?q=nomatch')).body.users).toEqual([]);
    // Both filters together narrow each other.
    expect(ids((await me.get('/v1/users?q=al&ids=u1,u3')).body.users)).toEqual(['u1']);
  });

  it('rejects a query without ids or q, and bad parameters', async () => {
    const t = await newTestApp();
    const [ann] = await usersOf(t, 'ann');
    expectInvalid(await ann.get('/v1/users'), ['ids']);
    expectInvalid(await ann.get('/v1/users?limit=10'), ['ids']);
    expectInvalid(await ann.get('/v1/users?q=a&limit=101'), ['limit']);
    expectInvalid(await ann.get('/v1/users?q=a&limit=0'), ['limit']);
    expectInvalid(await ann.get('/v1/users?q=a&limit=ten'), ['limit']);
    expectInvalid(await ann.get(`/v1/users?q=${'a'.repeat(201)}`), ['q']);
    expectInvalid(await ann.get('/v1/users?ids=ok,bad%20id'), ['ids', 1]);
    const tooMany = Array.from({ length: 101 }, (_, i) => `u${i}`).join(',');
    expectInvalid(await ann.get(`/v1/users?ids=${tooMany}`), ['ids']);
    expectUnknownKey(await ann.get('/v1/users?q=a&role=admin'), 'role');
  });
});

describe('GET and PATCH /v1/users/me', () => {
  it('returns the calling user; a server token has no user', async () => {
    const t = await newTestApp();
    const [ann] = await usersOf(t, 'ann');
    const me = await ann.get('/v1/users/me');
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ id: 'ann', name: 'ANN', role: 'user' });
    expectError(await t.server.get('/v1/users/me'), 403, 'forbidden');
    expectError(await t.anonymous.get('/v1/users/me'), 401, 'unauthenticated');
  });

  it('a first token for an unknown user creates that user', async () => {
    const t = await newTestApp();
    const fresh = await t.user('newcomer');
    const me = await fresh.get('/v1/users/me');
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ id: 'newcomer', name: null, image: null, custom: {} });
  });

  it('updates name, image and custom data', async () => {
    const t = await newTestApp();
    const [ann] = await usersOf(t, 'ann');
    const before = (await ann.get('/v1/users/me')).body.user;

    const named = await ann.patch('/v1/users/me', { name: 'Ann Lee' });
    expect(named.status).toBe(200);
    expect(named.body.user).toMatchObject({ id: 'ann', name: 'Ann Lee' });
    expect(Date.parse(named.body.user.updated_at)).toBeGreaterThanOrEqual(Date.parse(before.updated_at));

    const imaged = await ann.patch('/v1/users/me', {
      image: 'http://img.example/a.png',
      custom: { x: [1, { y: 2 }] },
    });
    expect(imaged.body.user).toMatchObject({
      name: 'Ann Lee',
      image: 'http://img.example/a.png',
      custom: { x: [1, { y: 2 }] },
    });

    // Exactly at the limits.
    const atLimits = await ann.patch('/v1/users/me', { name: 'n'.repeat(200), custom: nested(32) });
    expect(atLimits.status, JSON.stringify(atLimits.body)).toBe(200);

    const cleared = await ann.patch('/v1/users/me', { image: null, name: 'Ann' });
    expect(cleared.body.user).toMatchObject({ name: 'Ann', image: null });

    const me = await ann.get('/v1/users/me');
    expect(me.body.user).toMatchObject({ name: 'Ann', image: null, custom: nested(32) });
    expect((await t.server.get('/v1/users/ann')).body.user.name).toBe('Ann');
  });

  it('rejects bad updates naming the field, and changes nothing', async () => {
    const t = await newTestApp();
    const [ann] = await usersOf(t, 'ann');
    await ann.patch('/v1/users/me', { image: 'https://img.example/a.png', custom: { keep: true } });
    const before = (await ann.get('/v1/users/me')).body.user;

    const cases: [unknown, (string | number)[]][] = [
      [{}, []],
      [{ name: 'n'.repeat(201) }, ['name']],
      [{ name: 42 }, ['name']],
      [{ name: 'nul\u0000byte' }, ['name']],
      [{ image: 'javascript:alert(1)' }, ['image']],
      [{ image: 'data:image/png;base64,AAAA' }, ['image']],
      [{ image: 'ftp://files.example/a.png' }, ['image']],
      [{ image: 'not a url' }, ['image']],
      [{ image: `https://img.example/${'a'.repeat(2048)}` }, ['image']],
      [{ custom: customOfSize(5 * 1024 + 100) }, ['custom']],
      [{ custom: 'string' }, ['custom']],
      [{ custom: { ['k'.repeat(65)]: 1 } }, ['custom', 'k'.repeat(65)]],
    ];
    for (const [body, path] of cases) expectInvalid(await ann.patch('/v1/users/me', body), path);
    expectUnknownKey(await ann.patch('/v1/users/me', { name: 'ok', role: 'admin' }), 'role');
    expectUnknownKey(await ann.patch('/v1/users/me', { name: 'ok', id: 'someone-else' }), 'id');

    // 33 levels of nesting, one too many: refused at the level that is too deep.
    const tooDeep = await ann.patch('/v1/users/me', { custom: nested(33) });
    expectError(tooDeep, 400, 'validation_failed');
    expect(tooDeep.body.error.details.issues[0].path.slice(0, 2)).toEqual(['custom', 'a']);

    // A lone surrogate can only be written as a JSON escape.
    expectInvalid(await ann.request('PATCH', '/v1/users/me', '{"name":"\\ud800"}'), ['name']);
    // Prototype keys, at the top and nested.
    expectError(
      await ann.request('PATCH', '/v1/users/me', '{"__proto__":{"name":"x"}}'),
      400,
      'validation_failed',
    );
    expectError(
      await ann.request('PATCH', '/v1/users/me', '{"custom":{"a":{"__proto__":{"polluted":1}}}}'),
      400,
      'validation_failed',
    );
    expectError(await ann.request('PATCH', '/v1/users/me', '{"name":'), 400, 'validation_failed');
    expectError(
      await ann.request('PATCH', '/v1/users/me', 'name=x', { 'content-type': 'text/plain' }),
      400,
      'validation_failed',
    );

    const huge = await ann.patch('/v1/users/me', {
      name: 'x',
      custom: { blob: 'x'.repeat(1024 * 1024 + 10) },
    });
    expectError(huge, 413, 'payload_too_large');

    const after = (await ann.get('/v1/users/me')).body.user;
    expect(after).toEqual(before);
  });
});
