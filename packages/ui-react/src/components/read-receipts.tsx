import { replaceable } from '../context/components';
import { useStrings } from '../context/ui-context';
import type { UserRef } from '../core-types';
import { displayName, joinNames } from '../text/format';
import { Avatar } from './avatar';

export interface ReadReceiptsProps {
  /** Who has read up to this message (and not further), from the channel's `read` state. */
  readers: readonly UserRef[];
}

const MAX_AVATARS = 4;

/** "Seen by" under the last message each member has read. */
function DefaultReadReceipts({ readers }: ReadReceiptsProps) {
  const t = useStrings();
  if (readers.length === 0) return null;
  const label = t('message.seenBy', { names: joinNames(readers.map(displayName), t.locale) });
  return (
    <div className="chat-read-receipts" data-testid="chat-seen-by" data-count={readers.length} title={label}>
      {readers.slice(0, MAX_AVATARS).map((user) => (
        <Avatar key={user.id} user={user} size="small" />
      ))}
      {readers.length > MAX_AVATARS && (
        <span className="chat-read-receipts__more" aria-hidden="true">
          +{readers.length - MAX_AVATARS}
        </span>
      )}
      <span className="chat-visually-hidden">{label}</span>
    </div>
  );
}

export { DefaultReadReceipts };
export const ReadReceipts = replaceable('ReadReceipts', DefaultReadReceipts);
