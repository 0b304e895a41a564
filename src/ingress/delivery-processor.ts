import { setTimeout as delay } from "node:timers/promises";
import type { Logger } from "pino";
import type { Db } from "../db/client.js";
import { wakeupLatch } from "../queue/idle-wait.js";
import type { Wakeups } from "../queue/wakeups.js";
import {
  claimDeliveries,
  markFailed,
  markHandled,
  pruneDeliveries,
  releaseDeliveries,
  renewDeliveryLeases,
  type StoredDelivery,
} from "./delivery-store.js";
import { IDLE_INGRESS, type IngressLoad } from "./delivery-writer.js";
import { groupCommit } from "./group-commit.js";
import { errorMessage } from "../error-message.js";

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
  /** Deliveries claimed at once: one statement takes a batch, which waits for free handlers under its lease. */
  batchSize?: number;
  /** The endpoint this processor gives way to during a burst; absent: it never gives way. */
  ingress?: IngressLoad;
  /** How long a burst may hold back the claiming of deliveries at most, before a batch is taken anyway. */
  maxGiveWayMs?: number;
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

/** How long the endpoint must have been without a burst before the processor claims again. */
const CALM_MS = 50;

/**
 * Hands stored webhooks to their handlers, outside the request that brought them: GitHub is
 * answered as soon as a delivery is stored, and one that fails (GitHub down, a crash) is retried.
 *
 * Handling shares the process with the endpoint, so while the endpoint takes a burst the
 * processor claims nothing new (for `maxGiveWayMs` at most): the burst is answered sooner, and
 * its deliveries are handled right after it. Deliveries are claimed, kept under lease and marked
 * handled in batches, a statement for many rather than several for each.
 */
export function startDeliveryProcessor(options: DeliveryProcessorOptions): DeliveryProcessor {
  const { db, wakeups, workerId, log, handlers, leaseMs, pollMs } = options;
  const concurrency = options.concurrency ?? 4;
  const batchSize = Math.max(options.batchSize ?? 25, concurrency);
  const maxAttempts = options.maxAttempts ?? 10;
  const maxGiveWayMs = options.maxGiveWayMs ?? 1000;
  const ingress = options.ingress ?? IDLE_INGRESS;
  const abort = new AbortController();
  // Claimed and not yet settled, whether waiting for a handler or being handled.
  const held = new Map<string, StoredDelivery>();
  const waiting: StoredDelivery[] = [];
  const inHand = new Set<Promise<void>>();
  // Handled deliveries are marked in one statement for all that finished together.
  const marks = groupCommit(
    async (done: readonly StoredDelivery[]) => {
      await markHandled(db, done, workerId);
      return done.map(() => undefined);
    },
    { maxBatch: 100, maxInFlight: 1 },
  );

  let running = 0;

  const recordFailure = async (delivery: StoredDelivery, err: unknown, dlog: Logger) => {
    const message = errorMessage(err);
    const giveUp = delivery.attempts >= maxAttempts;
    const backoff = Math.min(options.maxBackoffMs ?? 600_000, 1000 * 2 ** Math.min(delivery.attempts, 16));
    if (giveUp) dlog.error({ err, attempts: delivery.attempts }, "could not handle the webhook; giving up");
    else dlog.warn({ err, attempts: delivery.attempts, retryInMs: backoff }, "could not handle the webhook; will retry");
    await markFailed(db, delivery, workerId, message, giveUp ? null : backoff).catch((markErr: unknown) =>
      dlog.error({ err: markErr }, "could not record the webhook's failure; it will be taken again when its lease ends"),
    );
  };

  const handle = async (delivery: StoredDelivery) => {
    const dlog = log.child({ deliveryId: delivery.id, event: deliveryKey(delivery.name, delivery.action) });
    const handler = handlers.get(deliveryKey(delivery.name, delivery.action));
    let failure: { err: unknown } | null = null;
    try {
      if (handler) await handler(delivery, dlog);
    } catch (err) {
      failure = { err };
    } finally {
      // Recording the outcome needs no handler: the next delivery starts meanwhile, and the
      // outcomes of deliveries handled together are recorded in one statement.
      running -= 1;
      startHandlers();
    }
    try {
      if (!failure) await marks.add(delivery);
    } catch (err) {
      failure = { err };
    }
    if (failure) await recordFailure(delivery, failure.err, dlog);
  };

  const startHandlers = () => {
    while (running < concurrency && waiting.length > 0) {
      const delivery = waiting.shift()!;
      running += 1;
      const settled = handle(delivery).finally(() => {
        inHand.delete(settled);
        held.delete(delivery.id);
        // Room to claim more: the loop may be asleep.
        if (held.size === concurrency - 1) wakeups.notify("deliveries");
      });
      inHand.add(settled);
    }
  };

  // Resolving a thousand targets can outlast a lease; the leases only end when this process does.
  const heartbeat = setInterval(() => {
    renewDeliveryLeases(db, [...held.values()], workerId, leaseMs).catch((err: unknown) =>
      log.warn({ err }, "could not renew the leases of the webhooks being handled"),
    );
  }, Math.max(50, Math.floor(leaseMs / 3)));

  // Ends early, without an error, when the processor stops.
  const sleep = (ms: number) => delay(ms, undefined, { signal: abort.signal }).catch(() => {});

  /** Waits while the endpoint takes a burst, and `CALM_MS` after it, for `maxGiveWayMs` at most. */
  const giveWay = async () => {
    const until = performance.now() + maxGiveWayMs;
    for (;;) {
      const now = performance.now();
      const calmAt = ingress.lastBurstAt + CALM_MS;
      if (now >= calmAt || now >= until || abort.signal.aborted) return;
      await sleep(Math.min(calmAt, until) - now);
    }
  };

  const loop = async () => {
    const work = wakeupLatch(wakeups, "deliveries");
    while (!abort.signal.aborted) {
      let claimed: StoredDelivery[] = [];
      const mark = work.mark();
      if (held.size < concurrency) {
        await giveWay();
        if (abort.signal.aborted) break;
        try {
          claimed = await claimDeliveries(db, workerId, leaseMs, batchSize - held.size);
        } catch (err) {
          log.error({ err }, "could not read stored webhooks; retrying shortly");
        }
      }
      if (claimed.length > 0) {
        for (const delivery of claimed) held.set(delivery.id, delivery);
        waiting.push(...claimed);
        startHandlers();
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
      // Claimed but not started: given back rather than handled, so stopping takes no longer than the handlers running.
      const unstarted = waiting.splice(0);
      for (const delivery of unstarted) held.delete(delivery.id);
      await releaseDeliveries(db, unstarted, workerId).catch((err: unknown) =>
        log.warn({ err }, "could not give back the webhooks claimed but not handled; they will be taken again when their lease ends"),
      );
      await Promise.allSettled([...inHand]);
      clearInterval(heartbeat);
    },
  };
}
