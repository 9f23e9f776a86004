import { useCallback, useState } from 'react';

export type ThemeChoice = 'auto' | 'light' | 'dark';

const KEY = 'chat-example-theme';
const CHOICES: readonly ThemeChoice[] = ['auto', 'light', 'dark'];

function stored(): ThemeChoice {
  try {
    const value = localStorage.getItem(KEY);
    return CHOICES.includes(value as ThemeChoice) ? (value as ThemeChoice) : 'auto';
  } catch {
    return 'auto';
  }
}

/** The theme the person chose (the system's by default), kept across reloads in this browser. */
export function useThemeChoice(): [ThemeChoice, (choice: ThemeChoice) => void] {
  const [choice, setChoice] = useState<ThemeChoice>(stored);
  const choose = useCallback((next: ThemeChoice) => {
    setChoice(next);
    try {
      localStorage.setItem(KEY, next);
    } catch {
      // Storage refused (private mode): the choice lasts until the page closes.
    }
  }, []);
  return [choice, choose];
}
