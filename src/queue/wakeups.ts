import { EventEmitter } from "node:events";

/**
 * Tells sleeping workers and the reporter that there is something to do. A wake-up is only a
 * hint: whoever wakes reads the database, and polling covers a wake-up that got lost.
 *
 * Call `notify` after the transaction that made the change has committed, so a woken worker in
 * any replica finds it. In one process an event emitter is enough (also on PGlite, which only one
 * process opens); with PostgreSQL, LISTEN/NOTIFY carries it to every replica
 * (./postgres-wakeups.ts).
 */
export interface Wakeups {
  notify(topic: WakeupTopic): void;
  subscribe(topic: WakeupTopic, listener: () => void): () => void;
  /** Stops delivering wake-ups from other processes. */
  close?(): Promise<void>;
}

/** `actions`: work to claim; `checks`: check updates to send; `cancels`: running actions to stop. */
export const wakeupTopics = ["actions", "checks", "cancels", "deliveries"] as const;
export type WakeupTopic = (typeof wakeupTopics)[number];

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
