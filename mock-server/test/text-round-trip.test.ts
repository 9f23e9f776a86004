import { describe, expect, it } from 'vitest';
import { newTestApp } from './api';
import { channelPath, createChannel, send } from './rest-helpers';

/** Text comes back exactly as it was sent, byte for byte, on either store. */
describe('text round trip', () => {
  it('keeps a leading U+FEFF, other invisible marks and astral characters in messages, names and custom data', async () => {
    const t = await newTestApp();
    const [alice] = await t.users('alice');
    const texts = [
      '\uFEFFstarts with a BOM',
      'a\uFEFFb',
      '\u200Fright-to-left mark',
      '👩‍👩‍👧 emoji',
      ' spaced ',
    ];
    const cid = await createChannel(alice!, 'bom', [], {
      name: '\uFEFFchannel name',
      custom: { note: '\uFEFFx' },
    });
    for (const text of texts) {
      const sent = await send(alice!, cid, text);
      expect(sent.text).toBe(text);
    }
    const read = await alice!.get(`${channelPath(cid)}/messages`);
    expect(read.body.messages.map((m: { text: string }) => m.text)).toEqual(texts);
    const channel = (await alice!.get(channelPath(cid))).body.channel;
    expect(channel.name).toBe('\uFEFFchannel name');
    expect(channel.custom).toEqual({ note: '\uFEFFx' });
    const me = await alice!.patch('/v1/users/me', { name: '\uFEFFAlice' });
    expect(me.body.user.name).toBe('\uFEFFAlice');
    expect((await alice!.get('/v1/users/me')).body.user.name).toBe('\uFEFFAlice');
  });
});
