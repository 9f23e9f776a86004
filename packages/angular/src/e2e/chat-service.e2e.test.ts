import { TestBed } from '@angular/core/testing';
import type { ConnectionState } from '@chat/core';
import { describe, expect, it, inject as provided, vi } from 'vitest';
import { connectClient, unique } from '../../test/server-harness';
import { ChatService } from '../chat.service';
import { provideChat } from '../provide-chat';

describe('ChatService', () => {
  it('logs in, exposes the user and the connection, and closes the client it built on destroy', async () => {
    const username = `carol-${unique()}`;
    await (await connectClient(username)).disconnect(); // the account exists now
    const { url, apiKey } = provided('chatServer');
    TestBed.configureTestingModule({ providers: [provideChat({ apiKey, baseUrl: url })] });
    const chat = TestBed.inject(ChatService);
    const statuses: ConnectionState['status'][] = [];
    chat.connectionState$.subscribe((state) => statuses.push(state.status));
    expect(chat.user()).toBeUndefined();

    const me = await chat.login({ username, password: 'angular-e2e-password' });

    expect(me.id).toBe(username);
    expect(chat.user()?.id).toBe(username);
    expect(chat.connectionState().status).toBe('connected');
    expect(statuses).toEqual(['idle', 'connecting', 'connected']);

    const client = chat.client;
    TestBed.resetTestingModule();
    await vi.waitFor(() => expect(client.connection.getSnapshot().status).toBe('disconnected'));
  });
});
