import { usePresence } from '@chat/react';
import { type CSSProperties, useState } from 'react';
import { replaceable } from '../context/components';
import { useStrings } from '../context/ui-context';
import type { UserRef } from '../core-types';
import { displayName, hueOf, initials } from '../text/format';
import { safeHttpUrl } from '../text/linkify';

export interface AvatarProps {
  user: Pick<UserRef, 'id' | 'name' | 'image'>;
  /** Shows a presence dot (live, from `usePresence`). */
  showPresence?: boolean;
  size?: 'small' | 'medium' | 'large';
}

/**
 * A round picture of a user: their image, or their initials on a colour derived from their id
 * (also when the image fails to load), with an optional live presence dot. Decorative
 * (`aria-hidden`): the name is always written next to it.
 */
function DefaultAvatar({ user, showPresence = false, size = 'medium' }: AvatarProps) {
  const image = safeHttpUrl(user.image);
  const [failed, setFailed] = useState<string | null>(null);
  const style = { '--chat-avatar-hue': hueOf(user.id) } as CSSProperties;
  return (
    <span
      className={`chat-avatar chat-avatar--${size}`}
      style={style}
      data-testid="chat-avatar"
      aria-hidden="true"
      title={displayName(user)}
    >
      {image && failed !== image ? (
        <img className="chat-avatar__image" src={image} alt="" onError={() => setFailed(image)} />
      ) : (
        <span className="chat-avatar__initials">{initials(user)}</span>
      )}
      {showPresence && <PresenceDot userId={user.id} />}
    </span>
  );
}

function PresenceDot({ userId }: { userId: string }) {
  const online = usePresence(userId);
  const t = useStrings();
  return (
    <span
      className={`chat-avatar__presence chat-avatar__presence--${online ? 'online' : 'offline'}`}
      data-testid="chat-presence-dot"
      data-online={online}
      title={t(online ? 'avatar.online' : 'avatar.offline')}
    />
  );
}

export { DefaultAvatar };
export const Avatar = replaceable('Avatar', DefaultAvatar);
