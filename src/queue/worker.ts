import type { Logger } from "pino";
import type { Db } from "../db/client.js";
import { cancelsRequested, claimNextAction, renewLease, type ClaimedAction, type ClaimLimits } from "./claim-action.js";
import { expireLeases, handBackAction, heldByWorker } from "./hand-back-action.js";
import { wakeupLatch } from "./idle-wait.js";
import type { StopRequest } from "./stop-request.js";
import type { Wakeups } from "./wakeups.js";

export interface WorkerOptions {
  db: Db;
  wakeups: Wakeups;
  workerId: string;
  /** Actions executing at once in this worker. */
  concurrency: number;
  /** Limits shared by every replica, checked in the claim. */
  limits?: ClaimLimits;
  leaseMs: number;
  pollMs: number;
  /** After `stop()`, how long running actions may go on before they are killed and handed back. */
  shutdownGraceMs?: number;
  log: Logger;
  /** Executes one action; when `signal` aborts, its reason is a StopRequest (./stop-request.ts). */
  execute(action: ClaimedAction, signal: AbortSignal): Promise<void>;
  /** Run once before the first claim (a failure is logged): clears what an earlier process left behind. */
  prepare?(): Promise<void>;
  /** Brings back actions whose worker was lost; run at start and then every `recoverEveryMs`. */
  recover?(): Promise<void>;
  recoverEveryMs?: number;
}

export interface Worker {
  /**
   * Stops claiming and lets the actions in hand finish within the grace period; those still
   * running then are killed and handed back (queued again, or failed saying the worker shut down).
   */
  stop(): Promise<void>;
}

interface InHand {
  action: ClaimedAction;
  controller: AbortController;
  heartbeat: NodeJS.Timeout;
  done: Promise<void>;
  finished: boolean;
}

// How long a killed execution gets to clean up (container, workspace) before its lease is left to
// expire for another replica's recovery instead.
const CLEANUP_AFTER_KILL_MS = 10_000;

/** Claims pending actions up to `concurrency` at once and executes each while renewing its lease. */
export function startWorker(options: WorkerOptions): Worker {
  const { db, wakeups, workerId, concurrency, leaseMs, pollMs, log } = options;
  const limits = options.limits ?? { perInstallation: 0 };
  const claiming = new AbortController();
  const inHand = new Map<string, InHand>();

  const stopOne = (entry: InHand, request: StopRequest) => {
    if (entry.controller.signal.aborted) return;
    log.info({ actionId: entry.action.id, request }, request.kind === "cancel" ? "stopping a cancelled action" : "killing an action at shutdown");
    entry.controller.abort(request);
  };

  // Cancels reach this worker by wake-up (at once) and by each heartbeat (the fallback).
  let cancelWakeups = 0;
  let checking: Promise<void> | null = null;
  let checkAgain = false;
  const checkCancels = () => {
    if (checking) {
      checkAgain = true;
      return;
    }
    checking = (async () => {
      do {
        checkAgain = false;
        const ids = [...inHand.keys()];
        const requested = await cancelsRequested(db, ids, workerId).catch((err: unknown) => {
          log.warn({ err }, "could not read cancels for the actions in hand; the heartbeat will look again");
          return new Map<string, string>();
        });
        for (const [id, reason] of requested) {
          const entry = inHand.get(id);
          if (entry) stopOne(entry, { kind: "cancel", reason });
        }
      } while (checkAgain);
    })().finally(() => {
      checking = null;
    });
  };
  const unsubscribeCancels = wakeups.subscribe("cancels", () => {
    cancelWakeups++;
    if (inHand.size > 0) checkCancels();
  });

  const execute = (action: ClaimedAction) => {
    const controller = new AbortController();
    const heartbeat = setInterval(() => {
      renewLease(db, action.id, workerId, leaseMs)
        .then((renewal) => {
          const entry = inHand.get(action.id);
          if (entry && renewal.held && renewal.cancel) stopOne(entry, { kind: "cancel", reason: renewal.cancel.reason });
        })
        .catch((err: unknown) => log.warn({ err, actionId: action.id }, "could not renew the action's lease"));
    }, Math.max(1000, Math.floor(leaseMs / 3)));
    const entry: InHand = { action, controller, heartbeat, finished: false, done: Promise.resolve() };
    entry.done = (async () => {
      try {
        await options.execute(action, controller.signal);
      } catch (err) {
        log.error({ err, runId: action.runId, actionId: action.id }, "action execution crashed");
      } finally {
        clearInterval(heartbeat);
        entry.finished = true;
      }
    })();
    return entry;
  };

  const loop = async () => {
    const work = wakeupLatch(wakeups, "actions");
    await options.prepare?.().catch((err: unknown) => log.warn({ err }, "could not clear what an earlier process left behind; claiming anyway"));
    while (!claiming.signal.aborted) {
      let claimed: ClaimedAction | null = null;
      const cancelsBefore = cancelWakeups;
      const mark = work.mark();
      if (inHand.size < concurrency) {
        try {
          claimed = await claimNextAction(db, workerId, leaseMs, limits);
        } catch (err) {
          log.error({ err }, "could not claim an action; retrying shortly");
        }
      }
      if (claimed) {
        log.info({ runId: claimed.runId, actionId: claimed.id, repository: claimed.repository }, "action claimed");
        const entry = execute(claimed);
        inHand.set(claimed.id, entry);
        void entry.done.then(() => {
          inHand.delete(entry.action.id);
          wakeups.notify("actions");
        });
        // A cancel that came while claiming may be for this action: look once it is in hand.
        if (cancelWakeups !== cancelsBefore) checkCancels();
        continue;
      }
      await work.wait(mark, pollMs, claiming.signal);
    }
    work.close();
  };

  const looping = concurrency > 0 ? loop() : Promise.resolve();

  // Only replicas that execute actions recover them: recovery needs the container engine.
  const recovers = options.recover !== undefined && concurrency > 0;
  let recovering: Promise<void> = Promise.resolve();
  const recover = () => {
    recovering = recovering
      .then(() => options.recover?.())
      .catch((err: unknown) => log.error({ err }, "could not recover actions of lost workers; retrying later"));
  };
  if (recovers) recover();
  const recoveryTimer = recovers ? setInterval(recover, options.recoverEveryMs ?? leaseMs) : null;

  /** Kills what still runs after the grace period and hands it back for another replica. */
  const handBackRemaining = async () => {
    const remaining = [...inHand.values()].filter((e) => !e.finished);
    if (remaining.length === 0) return;
    for (const entry of remaining) stopOne(entry, { kind: "shutdown" });
    await settleWithin(remaining.map((e) => e.done), CLEANUP_AFTER_KILL_MS);
    const cleaned = remaining.filter((e) => e.finished);
    for (const { action } of cleaned) {
      const outcome = await db
        .transaction((tx) =>
          handBackAction(tx, action.id, heldByWorker(action.id, workerId, action.attempts), {
            reason: `the worker ${workerId} shut down before the action finished; it was not retried because a step had started`,
            stepReason: "the worker shut down",
          }),
        )
        .catch((err: unknown) => {
          log.error({ err, actionId: action.id }, "could not hand back an action at shutdown; its lease will expire instead");
          return null;
        });
      log.info({ actionId: action.id, outcome }, "handed back an action at shutdown");
    }
    // Executions that did not clean up in time may still have a container: recovery elsewhere removes it.
    const stuck = remaining.filter((e) => !e.finished).map((e) => e.action.id);
    for (const entry of remaining) clearInterval(entry.heartbeat);
    await expireLeases(db, stuck, workerId).catch((err: unknown) =>
      log.error({ err, actions: stuck }, "could not release the leases of actions at shutdown; they expire on their own"),
    );
    if (cleaned.length + stuck.length > 0) {
      wakeups.notify("actions");
      wakeups.notify("checks");
    }
  };

  return {
    async stop() {
      if (recoveryTimer) clearInterval(recoveryTimer);
      claiming.abort();
      await recovering;
      await looping;
      const grace = options.shutdownGraceMs ?? 30_000;
      const running = [...inHand.values()].map((e) => e.done);
      if (running.length > 0) {
        log.info({ actions: running.length, graceMs: grace }, "waiting for running actions before stopping");
        await settleWithin(running, grace);
      }
      await handBackRemaining();
      unsubscribeCancels();
      await checking;
    },
  };
}

/** Waits for all of `promises`, or `ms` at most. */
async function settleWithin(promises: Promise<unknown>[], ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.allSettled(promises),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}
