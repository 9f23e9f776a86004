import { useState } from 'react';

/** Files one message can carry (the server's limit on attachments per message). */
export const MAX_FILES = 10;

export interface PickedFiles {
  files: readonly File[];
  /** More were given than a message can carry: how many were left out (0 otherwise). */
  leftOut: number;
  add(files: readonly File[]): void;
  remove(file: File): void;
  clear(): void;
}

/** The files picked, dropped or pasted into the composer, waiting to be sent with the message. */
export function usePickedFiles(): PickedFiles {
  const [files, setFiles] = useState<readonly File[]>([]);
  const [leftOut, setLeftOut] = useState(0);
  return {
    files,
    leftOut,
    add(added) {
      if (added.length === 0) return;
      const all = [...files, ...added];
      setLeftOut(Math.max(0, all.length - MAX_FILES));
      setFiles(all.slice(0, MAX_FILES));
    },
    remove(file) {
      setFiles(files.filter((f) => f !== file));
      setLeftOut(0);
    },
    clear() {
      setFiles([]);
      setLeftOut(0);
    },
  };
}
