import type { Envelope } from '../bus/envelope';
import type { Connection } from './connection';
import type { MemberDirectory } from './member-directory';
import type { Registry } from './registry';

/**
 * Delivers an event addressed to the members of some channels (`envelope.membersOf`) to those of
 * them connected to this node, each socket once. For each channel it walks the smaller of the
 * channel's members and this node's connected users.
 */
export async function deliverToMembers(
  registry: Registry,
  directory: MemberDirectory,
  envelope: Envelope,
): Promise<void> {
  const { channelIds, except } = envelope.membersOf!;
  const sent = new Set<Connection>();
  const sendTo = (userId: string) => {
    if (userId === except) return;
    for (const conn of registry.ofUser(userId)) {
      if (conn.actor?.appId !== envelope.appId || sent.has(conn)) continue;
      sent.add(conn);
      conn.send(envelope.bytes);
    }
  };
  for (const channelId of channelIds) {
    if (registry.userCount === 0) return;
    const members = await directory.membersOf(envelope.appId, channelId);
    if (members.size <= registry.userCount) {
      for (const userId of members) sendTo(userId);
    } else {
      for (const userId of registry.users()) if (members.has(userId)) sendTo(userId);
    }
  }
}
