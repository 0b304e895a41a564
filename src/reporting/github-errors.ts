// What a failed request to GitHub means for the reporter: try again after a wait (server errors,
// timeouts, rate limits, honouring what GitHub says to wait), or a refusal that repeating will
// not change (422, 404, …), given up after a few attempts.

export type SendFailure =
  | { kind: "retry"; waitMs: number; reason: string; rateLimited: boolean }
  | { kind: "refused"; reason: string };

export interface BackoffOptions {
  /** The first retry's wait; each further attempt doubles it. */
  baseMs: number;
  /** No wait is longer, whatever GitHub asks for (tests keep it small). */
  maxBackoffMs: number;
  /** Clock, in epoch milliseconds, for `x-ratelimit-reset`. */
  now: number;
}

/** GitHub asks for at least a minute after a secondary rate limit without `retry-after`. */
const secondaryLimitWaitMs = 60_000;
/** Exponential backoff alone never waits longer than this. */
const exponentialCapMs = 5 * 60_000;

interface HttpErrorShape {
  status?: unknown;
  message?: unknown;
  name?: unknown;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
  cause?: unknown;
}

function isTimeout(err: unknown): boolean {
  const e = err as HttpErrorShape | null;
  if (!e || typeof e !== "object") return false;
  if (e.name === "TimeoutError" || e.name === "AbortError") return true;
  return e.cause !== undefined && isTimeout(e.cause);
}

function header(err: HttpErrorShape, name: string): string | undefined {
  const value = err.response?.headers?.[name];
  return value === undefined ? undefined : String(value);
}

function messageOf(err: HttpErrorShape): string {
  return typeof err.message === "string" ? err.message : String(err);
}

export function exponentialBackoffMs(attempts: number, options: Pick<BackoffOptions, "baseMs" | "maxBackoffMs">): number {
  const exponent = Math.max(0, Math.min(attempts - 1, 20));
  return Math.min(options.baseMs * 2 ** exponent, exponentialCapMs, options.maxBackoffMs);
}

/** What GitHub said to wait, from `retry-after` (seconds) or `x-ratelimit-reset` (epoch seconds). */
function askedWaitMs(err: HttpErrorShape, now: number): number | null {
  const retryAfter = Number(header(err, "retry-after"));
  if (header(err, "retry-after") !== undefined && Number.isFinite(retryAfter)) return Math.max(0, retryAfter * 1000);
  if (header(err, "x-ratelimit-remaining") === "0") {
    const reset = Number(header(err, "x-ratelimit-reset"));
    // One more second: GitHub's reset time is rounded down.
    if (Number.isFinite(reset)) return Math.max(0, reset * 1000 - now + 1000);
  }
  return null;
}

/** `attempts`: how many sends of this work have begun, this one included. */
export function classifySendError(err: unknown, attempts: number, options: BackoffOptions): SendFailure {
  const backoff = exponentialBackoffMs(attempts, options);
  const cap = (ms: number) => Math.min(ms, options.maxBackoffMs);
  if (isTimeout(err)) return { kind: "retry", waitMs: backoff, reason: "GitHub did not answer in time", rateLimited: false };

  const e = (err ?? {}) as HttpErrorShape;
  const status = typeof e.status === "number" ? e.status : null;
  if (status === null) {
    // Not an answer from GitHub: the network, DNS, or a fault on this side; trying again is all there is.
    return { kind: "retry", waitMs: backoff, reason: messageOf(e), rateLimited: false };
  }
  const message = messageOf(e);
  const asked = askedWaitMs(e, options.now);
  const secondary = status === 403 && /secondary rate limit/i.test(message);
  const primary = status === 403 && header(e, "x-ratelimit-remaining") === "0";
  if (status === 429 || secondary || primary) {
    const kind = secondary ? "secondary rate limit" : "rate limit";
    const waitMs = cap(Math.max(asked ?? (secondary || status === 429 ? secondaryLimitWaitMs : backoff), backoff));
    return { kind: "retry", waitMs, reason: `GitHub's ${kind} (${status}): ${message}`, rateLimited: true };
  }
  if (status >= 500 || status === 408) {
    return { kind: "retry", waitMs: cap(Math.max(asked ?? 0, backoff)), reason: `GitHub answered ${status}: ${message}`, rateLimited: false };
  }
  return { kind: "refused", reason: `GitHub answered ${status}: ${message}` };
}
