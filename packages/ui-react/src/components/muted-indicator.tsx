import { replaceable } from '../context/components';
import { useStrings } from '../context/ui-context';

export interface MutedIndicatorProps {
  /** What a screen reader says (and the tooltip); default "Muted". */
  label?: string;
}

/** A crossed-out bell: the channel is muted. An image with a name, so it is read, not just seen. */
function DefaultMutedIndicator({ label }: MutedIndicatorProps) {
  const t = useStrings();
  const name = label ?? t('channel.muted');
  return (
    <span
      className="chat-muted-indicator"
      role="img"
      aria-label={name}
      title={name}
      data-testid="chat-muted-indicator"
    >
      <svg
        className="chat-muted-indicator__icon"
        viewBox="0 0 24 24"
        width="1em"
        height="1em"
        fill="none"
        stroke="currentColor"
        strokeWidth="2"
        strokeLinecap="round"
        strokeLinejoin="round"
        aria-hidden="true"
        focusable="false"
      >
        <path d="M13.7 21a2 2 0 0 1-3.4 0" />
        <path d="M18.6 13A17.9 17.9 0 0 1 18 8" />
        <path d="M6.3 6.3A5.9 5.9 0 0 0 6 8c0 7-3 9-3 9h14" />
        <path d="M18 8a6 6 0 0 0-9.3-5" />
        <path d="M2 2l20 20" />
      </svg>
    </span>
  );
}

export { DefaultMutedIndicator };
export const MutedIndicator = replaceable('MutedIndicator', DefaultMutedIndicator);
