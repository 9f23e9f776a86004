/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The chat server's base URL; default: the page's own origin (the server serves this app). */
  readonly VITE_CHAT_URL?: string;
  /** The application's API key; default: `demo`, the reference server's demo app. */
  readonly VITE_CHAT_API_KEY?: string;
}

// For plain `tsc`; `vue-tsc` (the `typecheck` script) checks the components themselves.
declare module '*.vue' {
  import type { DefineComponent } from 'vue';

  const component: DefineComponent;
  export default component;
}
