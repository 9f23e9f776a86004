import { replaceable } from '../context/components';
import { useStrings } from '../context/ui-context';
import { dayLabel } from '../text/format';

export interface DateSeparatorProps {
  /** A timestamp of the day (the first message of it). */
  date: string;
}

/** "Today", "Yesterday" or the date, above the first message of each day. */
function DefaultDateSeparator({ date }: DateSeparatorProps) {
  const t = useStrings();
  return (
    <div className="chat-date-separator" data-testid="chat-date-separator">
      <time className="chat-date-separator__label" dateTime={date} suppressHydrationWarning>
        {dayLabel(date, t)}
      </time>
    </div>
  );
}

export { DefaultDateSeparator };
export const DateSeparator = replaceable('DateSeparator', DefaultDateSeparator);
