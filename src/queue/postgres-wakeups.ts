import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { NotificationChannel } from "../db/client.js";
import { inProcessWakeups, wakeupTopics, type Wakeups, type WakeupTopic } from "./wakeups.js";

/** One channel for every topic; NOTIFY is scoped to the database, so apps on one server never meet. */
export const WAKEUP_CHANNEL = "automations_wakeups";

/**
 * Wake-ups shared by every replica through PostgreSQL's LISTEN/NOTIFY. Listeners in this process
 * are woken at once; the others when PostgreSQL delivers the notification. Several notifies of
 * one topic in the same tick are sent as one.
 *
 * Each notify is its own statement outside any transaction, so it must follow the commit of what
 * it announces (see `Wakeups`); NOTIFY inside the transaction would also wait for the commit, but
 * would tie every caller to the database client.
 */
export async function postgresWakeups(channel: NotificationChannel, log: Logger): Promise<Wakeups> {
  const local = inProcessWakeups();
  // This process's own notifications come back over LISTEN; they were already delivered locally.
  const origin = randomUUID();
  const known = new Set<string>(wakeupTopics);
  let listenedBefore = false;

  const listening = await channel.listen(
    WAKEUP_CHANNEL,
    (payload) => {
      const [topic, from] = payload.split(" ");
      if (from === origin || topic === undefined || !known.has(topic)) return;
      local.notify(topic as WakeupTopic);
    },
    () => {
      // After a reconnect, notifications sent while the connection was down are gone: wake everyone to look.
      if (listenedBefore) {
        log.info("listening for wake-ups again after the connection to the database came back");
        for (const topic of wakeupTopics) local.notify(topic);
      }
      listenedBefore = true;
    },
  );

  const pending = new Set<WakeupTopic>();
  let flushing = false;
  const flush = () => {
    flushing = false;
    for (const topic of pending) {
      channel.notify(WAKEUP_CHANNEL, `${topic} ${origin}`).catch((err: unknown) => {
        // Other replicas fall back to polling for this one.
        log.warn({ err, topic }, "could not send a wake-up to the other replicas");
      });
    }
    pending.clear();
  };

  return {
    notify(topic) {
      local.notify(topic);
      pending.add(topic);
      if (!flushing) {
        flushing = true;
        setImmediate(flush);
      }
    },
    subscribe: local.subscribe,
    async close() {
      await listening.unlisten();
    },
  };
}
