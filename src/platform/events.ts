import { EventEmitter } from 'node:events';

/**
 * In-process fan-out of committed events to live consoles (server-sent events).
 * Publishers call `publish` only after their transaction commits; the persisted
 * event log is what a reconnecting console replays.
 */
export type BusEvent = {
  seq: number;
  kind: string;
  at: string;
  centreId: string | null;
  stateCode: string | null;
  municipalityCode: string | null;
  agencyIds: string[];
  payload: unknown;
};

export type EventBus = {
  publish: (e: BusEvent) => void;
  subscribe: (fn: (e: BusEvent) => void) => () => void;
};

export function createEventBus(): EventBus {
  const emitter = new EventEmitter();
  // Hundreds of consoles subscribe at once.
  emitter.setMaxListeners(0);
  return {
    publish: (e) => emitter.emit('event', e),
    subscribe: (fn) => {
      emitter.on('event', fn);
      return () => emitter.off('event', fn);
    },
  };
}
