import { EventEmitter } from "node:events";

/**
 * Tells sleeping workers and the reporter that there is something to do. In one process an
 * event emitter is enough; several replicas will use PostgreSQL's LISTEN/NOTIFY behind this.
 */
export interface Wakeups {
  notify(topic: WakeupTopic): void;
  subscribe(topic: WakeupTopic, listener: () => void): () => void;
}

export type WakeupTopic = "actions" | "checks";

export function inProcessWakeups(): Wakeups {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    notify: (topic) => {
      emitter.emit(topic);
    },
    subscribe: (topic, listener) => {
      emitter.on(topic, listener);
      return () => emitter.off(topic, listener);
    },
  };
}
