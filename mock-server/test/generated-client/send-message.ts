import createClient from 'openapi-fetch';
// `chat-api.d.ts` is what openapi-typescript generates from the server's `/v1/openapi.json`
// (`npx openapi-typescript http://localhost:3000/v1/openapi.json -o chat-api.d.ts`). It is not
// committed: `../generated-client.test.ts` generates it from the running server, writes it beside
// a copy of this file and compiles both, so this file is type-checked against the served document.
import type { paths } from './chat-api';

/**
 * What a user of the REST API writes with a generated client (openapi-fetch over the generated
 * `paths`): register a password account (the api key names the application), create a channel,
 * send a message and read the channel's messages back. Every path, parameter and body is checked
 * by the compiler against the document; nothing here is typed by hand.
 */
export async function sendAndReadBack(options: {
  baseUrl: string;
  apiKey: string;
  username: string;
  channelId: string;
  text: string;
}) {
  const client = createClient<paths>({ baseUrl: options.baseUrl, headers: { 'X-Api-Key': options.apiKey } });

  const registered = await client.POST('/v1/auth/register', {
    body: { username: options.username, password: 'generated-client-password', name: 'Generated Client' },
  });
  if (!registered.data) throw new Error(`register: ${JSON.stringify(registered.error)}`);
  const token = registered.data.access_token;
  // The user token goes on every later request.
  client.use({
    onRequest({ request }) {
      request.headers.set('Authorization', `Bearer ${token}`);
      return request;
    },
  });

  const created = await client.POST('/v1/channels', {
    body: { type: 'messaging', id: options.channelId, name: 'Generated client' },
  });
  if (!created.data) throw new Error(`createChannel: ${JSON.stringify(created.error)}`);

  const path = { type: 'messaging', id: options.channelId } as const;
  const sent = await client.POST('/v1/channels/{type}/{id}/messages', {
    params: { path },
    body: { client_msg_id: crypto.randomUUID(), text: options.text },
  });
  if (!sent.data) throw new Error(`sendMessage: ${JSON.stringify(sent.error)}`);

  const listed = await client.GET('/v1/channels/{type}/{id}/messages', {
    params: { path, query: { limit: 10 } },
  });
  if (!listed.data) throw new Error(`listMessages: ${JSON.stringify(listed.error)}`);

  return {
    userId: registered.data.user.id,
    channel: created.data,
    sent: sent.data.message,
    messages: listed.data.messages,
  };
}
