import type { Wakeups, WakeupTopic } from "./wakeups.js";

/**
 * Resolves on the next wake-up of `topic`, after `pollMs` at the latest (polling is only the
 * fallback for a missed wake-up), or when `signal` aborts.
 */
export function waitForWork(wakeups: Wakeups, topic: WakeupTopic, pollMs: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      unsubscribe();
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, pollMs);
    const unsubscribe = wakeups.subscribe(topic, done);
    signal.addEventListener("abort", done);
  });
}

export interface WakeupLatch {
  /** Taken before looking for work. */
  mark(): number;
  /**
   * Waits for work like `waitForWork`, but returns at once when a wake-up came since `mark`:
   * one that arrived while the caller was looking (and found nothing) is not lost.
   */
  wait(mark: number, pollMs: number, signal: AbortSignal): Promise<void>;
  close(): void;
}

export function wakeupLatch(wakeups: Wakeups, topic: WakeupTopic): WakeupLatch {
  let count = 0;
  const unsubscribe = wakeups.subscribe(topic, () => {
    count++;
  });
  return {
    mark: () => count,
    wait: (mark, pollMs, signal) => (count !== mark ? Promise.resolve() : waitForWork(wakeups, topic, pollMs, signal)),
    close: unsubscribe,
  };
}
