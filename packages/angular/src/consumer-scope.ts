import { assertInInjectionContext, DestroyRef, Injector, inject, NgZone, PLATFORM_ID } from '@angular/core';

/** Pass `injector` to call a service method outside an injection context (e.g. in `ngOnInit`). */
export interface ScopeOptions {
  injector?: Injector;
}

/** Where a consumer lives: its injector, the end of its life, and a way out of the zone. */
export interface ConsumerScope {
  readonly injector: Injector;
  readonly destroyRef: DestroyRef;
  /** Rendering on the server (Angular SSR). */
  readonly server: boolean;
  /**
   * Runs `fn` outside Angular's zone when there is one: socket traffic and timers of the client
   * then trigger no change detection of their own; the signals they write tell Angular what changed.
   */
  outside<R>(fn: () => R): R;
}

/**
 * The scope of the caller: the current injection context (a component's field initializer), or
 * `options.injector`. What a service method starts for a consumer stops when this scope is destroyed.
 */
export function consumerScope(options: ScopeOptions = {}): ConsumerScope {
  if (!options.injector) assertInInjectionContext(consumerScope);
  const injector = options.injector ?? inject(Injector);
  // Optional: an injector made by hand (tests, `Injector.create`) may have no NgZone.
  const zone = injector.get(NgZone, null);
  return {
    injector,
    destroyRef: injector.get(DestroyRef),
    server: injector.get(PLATFORM_ID, null) === 'server',
    outside: (fn) => (zone ? zone.runOutsideAngular(fn) : fn()),
  };
}
