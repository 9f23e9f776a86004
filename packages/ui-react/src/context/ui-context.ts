import { createContext, useContext } from 'react';
import { createTranslator, type Translator } from '../i18n/strings';
import type { ChatComponents } from './components';

/** What `<Chat>` configures for every component below it. */
export interface UiConfig {
  /** The components replaced through `<Chat components>`; the rest use their defaults. */
  readonly components: Partial<ChatComponents>;
  readonly t: Translator;
}

const englishOnly: UiConfig = { components: {}, t: createTranslator() };

// A default value (not null): the presentational components also work outside `<Chat>`, in
// English and with the default components, e.g. an `<Avatar>` in the host's own header.
export const UiConfigContext = createContext<UiConfig>(englishOnly);

/** The translator of the surrounding `<Chat strings locale>`. */
export function useStrings(): Translator {
  return useContext(UiConfigContext).t;
}
