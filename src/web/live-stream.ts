import type { Context } from "hono";
import { streamSSE, type SSEStreamingApi } from "hono/streaming";
import type { Wakeups } from "../queue/wakeups.js";

/**
 * A page's live updates over Server-Sent Events. `tick` runs at once, then after every wake-up
 * (a state change in this process) and at least every `pollMs` (changes made by other replicas,
 * and log lines, which announce nothing); it returns false when there is nothing more to follow.
 */
export function liveStream(
  c: Context,
  wakeups: Wakeups,
  pollMs: number,
  tick: (stream: SSEStreamingApi) => Promise<boolean>,
): Response {
  return streamSSE(c, async (stream) => {
    let wake: () => void = () => {};
    let closed = false;
    const unsubscribe = wakeups.subscribe("checks", () => wake());
    stream.onAbort(() => {
      closed = true;
      wake();
    });
    try {
      while (!closed) {
        if (!(await tick(stream))) break;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    } finally {
      unsubscribe();
    }
  });
}

export function sendReplace(stream: SSEStreamingApi, target: string, html: string): Promise<void> {
  return stream.writeSSE({ event: "replace", data: JSON.stringify({ target, html }) });
}

export function sendAppend(stream: SSEStreamingApi, target: string, html: string, id?: string): Promise<void> {
  return stream.writeSSE({ event: "append", data: JSON.stringify({ target, html }), ...(id ? { id } : {}) });
}

export function sendEnd(stream: SSEStreamingApi, reload: boolean): Promise<void> {
  return stream.writeSSE({ event: "end", data: JSON.stringify({ reload }) });
}
