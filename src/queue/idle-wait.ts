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
