import type { ChatEvent, ChatEventType, EventOf } from '@chat/protocol';
import EventEmitter from 'eventemitter3';

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
 * Typed event dispatch over `eventemitter3`. A listener that throws is reported and does not stop
 * the others, nor the socket that delivered the event.
 *
 * @example
 * const off = events.on('message.new', (event) => console.log(event.message.text));
 * events.on('*', (event) => console.log(event.type));
 * off();
 */
export class ChatEventEmitter {
  private readonly emitter = new EventEmitter();

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
    this.emitter.on(type, guarded);
    return () => {
      this.emitter.off(type, guarded);
    };
  }

  /** Delivers an event to the listeners of its type, then to the `'*'` listeners. */
  emit(event: ChatEvent): void {
    this.emitter.emit(event.type, event);
    this.emitter.emit('*', event);
  }

  /** Drops every listener (the client is being thrown away). */
  clear(): void {
    this.emitter.removeAllListeners();
  }
}
