import pRetry from "p-retry";
import type { Logger } from "pino";
import { isConnectionError } from "./connection-errors.js";

export interface UnreachableRetry {
  log?: Logger;
  /** How long to keep trying before giving the error to the caller. */
  maxWaitMs: number;
  signal?: AbortSignal;
}

/**
 * Runs `write`, and again with backoff for as long as the database cannot be reached (a restart, a
 * failover), up to `maxWaitMs`. Errors in the statement itself are not retried. Only for writes that
 * are safe to repeat: a statement cut off by a lost session may or may not have been applied.
 */
/** How long a worker's status writes wait for the database before the action is left to recovery. */
export const WORKER_WRITE_WAIT_MS = 60_000;

export function retryWhileUnreachable<T>(what: string, write: () => Promise<T>, options: UnreachableRetry): Promise<T> {
  return pRetry(write, {
    retries: Number.POSITIVE_INFINITY,
    minTimeout: 200,
    maxTimeout: 5_000,
    maxRetryTime: options.maxWaitMs,
    signal: options.signal,
    shouldRetry: ({ error }) => isConnectionError(error),
    onFailedAttempt: ({ error, attemptNumber }) => {
      if (isConnectionError(error)) options.log?.warn({ err: error, attempt: attemptNumber }, `the database is unreachable; will try again to ${what}`);
    },
  });
}
