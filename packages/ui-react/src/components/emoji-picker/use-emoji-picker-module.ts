import { useCallback, useEffect, useState } from 'react';
import { lazyModule } from '../../lazy-module';

type PickerModule = typeof import('./emoji-picker');

// One load per page: the second opening is instant.
const picker = lazyModule<PickerModule>(() => import('./emoji-picker'));

export type EmojiPickerModuleState =
  | { status: 'loading' }
  | { status: 'failed'; retry(): void }
  | { status: 'ready'; EmojiPicker: PickerModule['EmojiPicker'] };

/**
 * The emoji picker's code, loaded with a dynamic import the first time a picker opens (so it is
 * a chunk of its own, not in the first load). Not `React.lazy`: a failed load must be a message
 * with a retry, not an error thrown to the app's error boundary.
 */
export function useEmojiPickerModule(): EmojiPickerModuleState {
  const [module, setModule] = useState<PickerModule | null>(picker.current);
  const [failed, setFailed] = useState(false);
  const [attempt, setAttempt] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` is the retry trigger
  useEffect(() => {
    if (module) return;
    let live = true;
    setFailed(false);
    picker.load().then(
      (m) => live && setModule(m),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [module, attempt]);
  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  if (module) return { status: 'ready', EmojiPicker: module.EmojiPicker };
  return failed ? { status: 'failed', retry } : { status: 'loading' };
}
