/**
 * Whether the composables run in a browser. Outside one (SSR, Node) they never subscribe, watch
 * or load: nothing would ever dispose a server render's scope, so a subscription there would leak.
 * Read at call time, never at import, so importing the package touches no global.
 */
export const inBrowser = (): boolean => typeof window !== 'undefined' && typeof document !== 'undefined';
