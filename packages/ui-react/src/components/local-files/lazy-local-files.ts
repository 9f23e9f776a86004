import { lazyComponent } from '../lazy-component';

// The views of files being attached and sent: one chunk, loaded when someone first attaches a
// file (or points at the attach button, see `preloadLocalFiles`).
const load = () => import('./local-files');

export const PickedFileList = lazyComponent(() => load().then((m) => m.PickedFileList));
export const SendingFiles = lazyComponent(() => load().then((m) => m.SendingFiles));

/** Starts loading them ahead of need; a failure is shown when they are first needed. */
export const preloadLocalFiles = () => void load().catch(() => {});
