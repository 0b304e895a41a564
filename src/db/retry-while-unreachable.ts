import pRetry from "p-retry";
import { isConnectionError } from "./connection-errors.js";

/** How long a worker's write waits for the database before its caller gets the error. */
const MAX_WAIT_MS = 60_000;

/**
 * Runs a worker's `write`, and again with backoff for as long as the database cannot be reached
 * (a restart, a failover), up to a minute. Errors in the statement itself are not retried. Only
 * for writes that are safe to repeat: a statement cut off by a lost session may or may not have
 * been applied.
 */
export function retryWhileUnreachable<T>(write: () => Promise<T>): Promise<T> {
  return pRetry(write, {
    retries: Number.POSITIVE_INFINITY,
    minTimeout: 200,
    maxTimeout: 5_000,
    maxRetryTime: MAX_WAIT_MS,
    shouldRetry: ({ error }) => isConnectionError(error),
  });
}
