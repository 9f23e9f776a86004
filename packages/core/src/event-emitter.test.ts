import { describe, expect, it, vi } from 'vitest';
import { healthCheck, typingStart } from '../test/frames';
import { ChatEventEmitter } from './event-emitter';

describe('ChatEventEmitter', () => {
  it('delivers an event to the listeners of its type, then to wildcard listeners', () => {
    const emitter = new ChatEventEmitter();
    const order: string[] = [];
    emitter.on('*', (event) => order.push(`*:${event.type}`));
    emitter.on('typing.start', (event) => order.push(`typed:${event.user.id}`));
    emitter.on('health.check', () => order.push('health'));
    emitter.emit(typingStart());
    expect(order).toEqual(['typed:bob', '*:typing.start']);
  });

  it('stops delivering after unsubscribe', () => {
    const emitter = new ChatEventEmitter();
    const listener = vi.fn();
    const off = emitter.on('health.check', listener);
    emitter.emit(healthCheck());
    off();
    emitter.emit(healthCheck());
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('reports a throwing listener and still delivers to the others', () => {
    const reported: unknown[] = [];
    const emitter = new ChatEventEmitter((error) => reported.push(error));
    const after = vi.fn();
    const boom = new Error('listener bug');
    emitter.on('typing.start', () => {
      throw boom;
    });
    emitter.on('typing.start', after);
    emitter.on('*', after);
    emitter.emit(typingStart());
    expect(reported).toEqual([boom]);
    expect(after).toHaveBeenCalledTimes(2);
  });

  it('delivers to listeners in the order they subscribed; one added during a delivery gets the next event', () => {
    const emitter = new ChatEventEmitter();
    const calls: string[] = [];
    const late = vi.fn();
    emitter.on('*', () => calls.push('any'));
    emitter.on('health.check', () => {
      calls.push('first');
      emitter.on('health.check', late);
    });
    emitter.on('health.check', () => calls.push('second'));
    emitter.emit(healthCheck());
    expect(calls).toEqual(['first', 'second', 'any']);
    expect(late).not.toHaveBeenCalled();
    emitter.emit(healthCheck());
    expect(late).toHaveBeenCalledTimes(1);
  });

  it('the same function subscribed twice is called twice, and each unsubscribe removes one', () => {
    const emitter = new ChatEventEmitter();
    const listener = vi.fn();
    const offFirst = emitter.on('health.check', listener);
    emitter.on('health.check', listener);
    emitter.emit(healthCheck());
    expect(listener).toHaveBeenCalledTimes(2);
    offFirst();
    offFirst();
    emitter.emit(healthCheck());
    expect(listener).toHaveBeenCalledTimes(3);
    emitter.clear();
    emitter.emit(healthCheck());
    expect(listener).toHaveBeenCalledTimes(3);
  });
});
