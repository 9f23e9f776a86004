import type { ChatEvent, ChatEventType, EventOf } from '@chat/protocol';

/** An event type, or `'*'` for every event. */
export type EventKey = ChatEventType | '*';

/** The listener of an event type: `on('message.new', (e) => e.message)` is typed. */
export type EventListener<K extends EventKey> = (
  event: K extends ChatEventType ? EventOf<K> : ChatEvent,
) => void;

/** Reports a listener that threw; default `reportError` where the host has it, else `console.error`. */
export type ListenerErrorHandler = (error: unknown) => void;

const defaultErrorHandler: ListenerErrorHandler = (error) => {
  const report = (globalThis as { reportError?: (error: unknown) => void }).reportError;
  if (typeof report === 'function') report(error);
  else console.error('@chat/core: an event listener threw', error);
};

/**
 * Typed event dispatch: a set of listeners per type (a library would cost the core 1 KB for
 * what these few lines do). A listener that throws is reported and does not stop the others,
 * nor the socket that delivered the event; one added while an event is delivered gets the next.
 *
 * @example
 * const off = events.on('message.new', (event) => console.log(event.message.text));
 * events.on('*', (event) => console.log(event.type));
 * off();
 */
export class ChatEventEmitter {
  private readonly listeners = new Map<EventKey, Set<(event: ChatEvent) => void>>();

  constructor(private readonly onListenerError: ListenerErrorHandler = defaultErrorHandler) {}

  /** Subscribes to one event type (or `'*'`); returns the unsubscribe function. */
  on<K extends EventKey>(type: K, listener: EventListener<K>): () => void {
    const guarded = (event: ChatEvent) => {
      try {
        (listener as (event: ChatEvent) => void)(event);
      } catch (error) {
        this.onListenerError(error);
      }
    };
    const listeners = this.listeners.get(type) ?? new Set();
    this.listeners.set(type, listeners.add(guarded));
    return () => {
      listeners.delete(guarded);
    };
  }

  /** Delivers an event to the listeners of its type, then to the `'*'` listeners. */
  emit(event: ChatEvent): void {
    for (const type of [event.type, '*'] as const) {
      for (const listener of [...(this.listeners.get(type) ?? [])]) listener(event);
    }
  }

  /** Drops every listener (the client is being thrown away). */
  clear(): void {
    this.listeners.clear();
  }
}
