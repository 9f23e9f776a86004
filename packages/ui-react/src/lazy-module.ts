/**
 * A module loaded on demand with `import()`, once per page: `current` once it is here (renders
 * are then synchronous), `load()` to start or join the load. A failed load (offline, or a deploy
 * replaced the chunk) is forgotten, so the next `load()` tries again.
 */
export interface LazyModule<M> {
  readonly current: M | null;
  load(): Promise<M>;
}

export function lazyModule<M>(importer: () => Promise<M>): LazyModule<M> {
  let current: M | null = null;
  let loading: Promise<M> | null = null;
  return {
    get current() {
      return current;
    },
    load() {
      loading ??= importer().then(
        (module) => {
          current = module;
          return module;
        },
        (error: unknown) => {
          loading = null;
          throw error;
        },
      );
      return loading;
    },
  };
}
