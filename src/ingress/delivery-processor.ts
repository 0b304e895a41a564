import type { Logger } from "pino";
import type { Db } from "../db/client.js";
import { wakeupLatch } from "../queue/idle-wait.js";
import type { Wakeups } from "../queue/wakeups.js";
import { claimDelivery, markFailed, markHandled, pruneDeliveries, renewDeliveryLease, type StoredDelivery } from "./delivery-store.js";

/** Handles one stored delivery; throwing means "try again later". */
export type DeliveryHandler = (delivery: StoredDelivery, log: Logger) => Promise<void>;

export interface DeliveryProcessorOptions {
  db: Db;
  wakeups: Wakeups;
  workerId: string;
  log: Logger;
  /** Handlers by `event.action` (or `event` for events without an action). */
  handlers: ReadonlyMap<string, DeliveryHandler>;
  leaseMs: number;
  pollMs: number;
  /** Deliveries handled at once by this process. */
  concurrency?: number;
  /** Attempts before a delivery is given up, its error kept on the row. */
  maxAttempts?: number;
  maxBackoffMs?: number;
  /** How long handled deliveries are kept (they deduplicate redeliveries meanwhile). */
  retentionMs?: number;
}

export interface DeliveryProcessor {
  stop(): Promise<void>;
}

export function deliveryKey(name: string, action: string | null): string {
  return action ? `${name}.${action}` : name;
}

/**
 * Hands stored webhooks to their handlers, outside the request that brought them: GitHub is
 * answered as soon as a delivery is stored, and one that fails (GitHub down, a crash) is retried.
 */
export function startDeliveryProcessor(options: DeliveryProcessorOptions): DeliveryProcessor {
  const { db, wakeups, workerId, log, handlers, leaseMs, pollMs } = options;
  const concurrency = options.concurrency ?? 4;
  const maxAttempts = options.maxAttempts ?? 10;
  const abort = new AbortController();
  const inHand = new Set<Promise<void>>();

  const handle = async (delivery: StoredDelivery) => {
    const dlog = log.child({ deliveryId: delivery.id, event: deliveryKey(delivery.name, delivery.action) });
    const handler = handlers.get(deliveryKey(delivery.name, delivery.action));
    // Resolving a thousand targets can outlast a lease; the lease only ends when this process does.
    const heartbeat = setInterval(() => {
      renewDeliveryLease(db, delivery, workerId, leaseMs).catch((err: unknown) =>
        dlog.warn({ err }, "could not renew the webhook's lease"),
      );
    }, Math.max(50, Math.floor(leaseMs / 3)));
    try {
      if (handler) await handler(delivery, dlog);
      await markHandled(db, delivery, workerId);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const giveUp = delivery.attempts >= maxAttempts;
      const backoff = Math.min(options.maxBackoffMs ?? 600_000, 1000 * 2 ** Math.min(delivery.attempts, 16));
      if (giveUp) dlog.error({ err, attempts: delivery.attempts }, "could not handle the webhook; giving up");
      else dlog.warn({ err, attempts: delivery.attempts, retryInMs: backoff }, "could not handle the webhook; will retry");
      await markFailed(db, delivery, workerId, message, giveUp ? null : backoff).catch((markErr: unknown) =>
        dlog.error({ err: markErr }, "could not record the webhook's failure; it will be taken again when its lease ends"),
      );
    } finally {
      clearInterval(heartbeat);
    }
  };

  const loop = async () => {
    const work = wakeupLatch(wakeups, "deliveries");
    while (!abort.signal.aborted) {
      let claimed: StoredDelivery | null = null;
      const mark = work.mark();
      if (inHand.size < concurrency) {
        try {
          claimed = await claimDelivery(db, workerId, leaseMs);
        } catch (err) {
          log.error({ err }, "could not read stored webhooks; retrying shortly");
        }
      }
      if (claimed) {
        const running = handle(claimed).finally(() => {
          inHand.delete(running);
          wakeups.notify("deliveries");
        });
        inHand.add(running);
        continue;
      }
      await work.wait(mark, pollMs, abort.signal);
    }
    work.close();
  };
  const looping = loop();

  const retentionMs = options.retentionMs ?? 7 * 24 * 3600_000;
  const prune = () =>
    pruneDeliveries(db, retentionMs).catch((err: unknown) => log.warn({ err }, "could not prune old webhook deliveries"));
  const pruneTimer = setInterval(prune, Math.min(retentionMs, 3600_000));
  pruneTimer.unref();

  return {
    async stop() {
      clearInterval(pruneTimer);
      abort.abort();
      await looping;
      await Promise.allSettled([...inHand]);
    },
  };
}
