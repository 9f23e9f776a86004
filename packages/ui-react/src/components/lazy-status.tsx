import { useStrings } from '../context/ui-context';
import type { LazyModuleState } from '../hooks/use-lazy-module';
import type { ChatStringKey } from '../i18n/strings';

export interface LazyStatusProps {
  /** The code being loaded (not ready yet). */
  state: Exclude<LazyModuleState<unknown>, { status: 'ready' }>;
  className: string;
  /** What it says while loading and after a failed load (default: "Loading…", "Could not load…"). */
  loading?: ChatStringKey;
  failed?: ChatStringKey;
}

/**
 * What stands in for code loaded on demand: a status while it loads, and an alert with "Try
 * again" when the load failed (offline, a replaced deploy).
 */
export function LazyStatus({
  state,
  className,
  loading = 'lazy.loading',
  failed = 'lazy.failed',
}: LazyStatusProps) {
  const t = useStrings();
  return state.status === 'failed' ? (
    <p className={className} role="alert">
      {t(failed)}{' '}
      <button type="button" className="chat-button" onClick={state.retry}>
        {t('lazy.retry')}
      </button>
    </p>
  ) : (
    <p className={className} role="status">
      {t(loading)}
    </p>
  );
}
