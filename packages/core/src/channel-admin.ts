import type { ChannelType, Draft, Member } from '@chat/protocol';
import type { HttpClient } from './http-client';

/** The members, moderation and draft calls of one channel: REST, answered with the new members. */
export class ChannelAdmin {
  constructor(
    private readonly http: HttpClient,
    private readonly params: { type: ChannelType; id: string },
    /** Puts the members the server answered with into the state (`removed` leave it). */
    private readonly setMembers: (members: readonly Member[], removed?: readonly string[]) => void,
    private readonly setDraft: (draft: Draft | null) => void,
  ) {}

  async addMembers(userIds: string[]): Promise<void> {
    const body = { user_ids: userIds };
    const { members } = await this.http.request('addMembers', { params: this.params, body });
    this.setMembers(members);
  }

  async removeMembers(userIds: string[]): Promise<void> {
    const body = { user_ids: userIds };
    const { members } = await this.http.request('removeMembers', { params: this.params, body });
    this.setMembers(members, userIds);
  }

  async mute(): Promise<void> {
    const { members } = await this.http.request('muteChannel', { params: this.params });
    this.setMembers(members);
  }

  async unmute(): Promise<void> {
    const { members } = await this.http.request('unmuteChannel', { params: this.params });
    this.setMembers(members);
  }

  async banUser(userId: string, options: { timeout?: number; reason?: string } = {}): Promise<void> {
    const body = { user_id: userId, ...options };
    const { members } = await this.http.request('banMember', { params: this.params, body });
    this.setMembers(members);
  }

  async unbanUser(userId: string): Promise<void> {
    const params = { ...this.params, userId };
    const { members } = await this.http.request('unbanMember', { params });
    this.setMembers(members);
  }

  async saveDraft(text: string, parentId?: string): Promise<void> {
    const body = { text, ...(parentId && { parent_id: parentId }) };
    const { draft } = await this.http.request('saveDraft', { params: this.params, body });
    if (!parentId) this.setDraft(draft);
  }
}
