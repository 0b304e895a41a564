import type { Logger } from "pino";
import type { Db } from "../db/client.js";
import { claimNextAction, renewLease, type ClaimedAction } from "./claim-action.js";
import { waitForWork } from "./idle-wait.js";
import type { Wakeups } from "./wakeups.js";

export interface WorkerOptions {
  db: Db;
  wakeups: Wakeups;
  workerId: string;
  concurrency: number;
  leaseMs: number;
  pollMs: number;
  log: Logger;
  execute(action: ClaimedAction): Promise<void>;
  /** Brings back actions whose worker was lost; run at start and then every `recoverEveryMs`. */
  recover?(): Promise<void>;
  recoverEveryMs?: number;
}

export interface Worker {
  /** Stops claiming and waits for the actions in hand to finish. */
  stop(): Promise<void>;
}

/** Claims pending actions up to `concurrency` at once and executes each while renewing its lease. */
export function startWorker(options: WorkerOptions): Worker {
  const { db, wakeups, workerId, concurrency, leaseMs, pollMs, log } = options;
  const abort = new AbortController();
  const inHand = new Set<Promise<void>>();

  const executeWithLease = async (action: ClaimedAction) => {
    const heartbeat = setInterval(() => {
      renewLease(db, action.id, workerId, leaseMs).catch((err: unknown) =>
        log.warn({ err, actionId: action.id }, "could not renew the action's lease"),
      );
    }, Math.max(1000, Math.floor(leaseMs / 3)));
    try {
      await options.execute(action);
    } catch (err) {
      log.error({ err, runId: action.runId, actionId: action.id }, "action execution crashed");
    } finally {
      clearInterval(heartbeat);
    }
  };

  const loop = async () => {
    while (!abort.signal.aborted) {
      let claimed: ClaimedAction | null = null;
      if (inHand.size < concurrency) {
        try {
          claimed = await claimNextAction(db, workerId, leaseMs);
        } catch (err) {
          log.error({ err }, "could not claim an action; retrying shortly");
        }
      }
      if (claimed) {
        log.info({ runId: claimed.runId, actionId: claimed.id, repository: claimed.repository }, "action claimed");
        const running = executeWithLease(claimed).finally(() => {
          inHand.delete(running);
          wakeups.notify("actions");
        });
        inHand.add(running);
        continue;
      }
      await waitForWork(wakeups, "actions", pollMs, abort.signal);
    }
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

  return {
    async stop() {
      if (recoveryTimer) clearInterval(recoveryTimer);
      abort.abort();
      await recovering;
      await looping;
      await Promise.allSettled([...inHand]);
    },
  };
}
