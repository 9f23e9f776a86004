import { replaceable } from '../context/components';
import { useStrings } from '../context/ui-context';

export interface NewMessagesPillProps {
  /** Messages that arrived below while the user was scrolled up. */
  count: number;
  /** Scrolls to the newest message. */
  onClick(): void;
}

/** The "N new messages" button shown while scrolled up as messages arrive. */
function DefaultNewMessagesPill({ count, onClick }: NewMessagesPillProps) {
  const t = useStrings();
  return (
    <button
      type="button"
      className="chat-new-messages-pill"
      data-testid="chat-new-messages-pill"
      data-count={count}
      onClick={onClick}
    >
      <span aria-hidden="true">↓ </span>
      {t.plural('messageList.newMessages', count)}
    </button>
  );
}

export { DefaultNewMessagesPill };
export const NewMessagesPill = replaceable('NewMessagesPill', DefaultNewMessagesPill);
