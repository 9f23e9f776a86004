// What global-setup.ts hands to the test files through vitest's `provide`/`inject`.
export {};

declare module 'vitest' {
  export interface ProvidedContext {
    chatServer: { url: string; apiKey: string };
  }
}
