import { describe, expect, it } from 'vitest';
import { createUserToken } from '../src/domain/auth/index';
import { clientId, getTestServer, newTestApp } from './api';
import { WsClient } from './ws-client';

describe('WebSocket smoke', () => {
  it('two users chat: send, ack with the stored message, receipt by the other', async () => {
    const server = await getTestServer();
    const t = await newTestApp();
    const [alice] = await t.users('alice', 'bob');
    await alice!.post('/v1/channels', { type: 'messaging', id: 'ws', members: ['bob'] });
    const a = await WsClient.connect(
      server.wsUrl,
      t.app.api_key,
      await createUserToken(t.app.api_secret, 'alice'),
    );
    const b = await WsClient.connect(
      server.wsUrl,
      t.app.api_key,
      await createUserToken(t.app.api_secret, 'bob'),
    );
    try {
      const watchA = await a.ok({ type: 'channel.watch', cid: 'messaging:ws' });
      expect(watchA.recovered).toBe(false);
      await b.ok({ type: 'channel.watch', cid: 'messaging:ws' });
      const ack = await a.ok({
        type: 'message.send',
        cid: 'messaging:ws',
        message: { client_msg_id: clientId(), text: 'hi' },
      });
      expect(ack.message.text).toBe('hi');
      const received = await b.waitFor((e) => e.type === 'message.new');
      expect(received).toMatchObject({ cid: 'messaging:ws', message: { id: ack.message.id, text: 'hi' } });
    } finally {
      a.close();
      b.close();
    }
  });
});
