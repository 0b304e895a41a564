import type { Db } from "../db/client.js";
import { retryWhileUnreachable, WORKER_WRITE_WAIT_MS } from "../db/retry-while-unreachable.js";
import { createMasker, maskingStream, type Masker, type MaskingStream } from "../security/mask-secrets.js";
import { logChunks } from "./logs.sql.js";

export type LogStream = "stdout" | "stderr" | "system";

export interface LogWriter {
  write(stepIndex: number, stream: LogStream, text: string): void;
  /**
   * Step output is masked as a stream: the last few characters wait for the next chunk in case
   * a secret is split across the two. This lets them go, for one step or (no index) all.
   */
  release(stepIndex?: number): void;
  /** The last non-empty line a step printed (stdout or stderr), masked; null when it printed none. */
  lastLine(stepIndex: number): string | null;
  /** Stores everything written so far. */
  flush(): Promise<void>;
  /** Characters written but not yet stored: waiting for their batch or being inserted. */
  buffered(): number;
  /**
   * Backpressure for whoever produces the output: undefined while the writer is under its
   * high-water mark; otherwise a promise that resolves (never rejects) once it is stored down to
   * its low-water mark. A producer that waits for it keeps the writer's memory bounded.
   */
  drained(): Promise<void> | undefined;
}

/** The step index of the app's own lines (clone, container start, cleanup). */
export const SYSTEM_STEP = -1;

/**
 * Collects an action's output and stores it in batches: often enough that the log is current,
 * rarely enough that a chatty step does not become one insert per line.
 */
export function createLogWriter(
  db: Db,
  actionId: string,
  options: { flushMs?: number; maxBufferChars?: number; highWaterChars?: number; masker?: Masker } = {},
): LogWriter {
  const flushMs = options.flushMs ?? 500;
  const maxBufferChars = options.maxBufferChars ?? 64 * 1024;
  // Output faster than the database stores it waits here; past the mark the producer is paused.
  const highWaterChars = Math.max(options.highWaterChars ?? 2 * 1024 * 1024, maxBufferChars);
  const lowWaterChars = Math.floor(highWaterChars / 2);
  const masker = options.masker ?? createMasker([]);
  // One masking stream per step and stream: stdout and stderr interleave, each split on its own.
  const maskers = new Map<string, { stepIndex: number; stream: LogStream; masking: MaskingStream }>();
  const lines = new Map<number, { last: string | null; partial: Map<LogStream, string> }>();
  let pending: Array<{ stepIndex: number; stream: LogStream; content: string }> = [];
  let buffered = 0;
  // Pending plus in flight: what the writer holds in memory.
  let unstored = 0;
  let waiters: Array<() => void> = [];
  let timer: NodeJS.Timeout | null = null;
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown = null;

  // Hands the pending output to the insert chain.
  const send = (): void => {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    const batch = pending;
    const batchChars = buffered;
    pending = [];
    buffered = 0;
    if (batch.length > 0) {
      chain = chain
        .then(async () => {
          await retryWhileUnreachable("store the log", () => db.insert(logChunks).values(batch.map((c) => ({ ...c, actionId }))), {
            maxWaitMs: WORKER_WRITE_WAIT_MS,
          });
        })
        .catch((err: unknown) => {
          // Later batches still go in; the caller hears of the loss at its next flush.
          failure = err;
        })
        .finally(() => {
          // Stored or lost, the batch no longer takes memory: a failure must not stall the producer.
          unstored -= batchChars;
          if (unstored <= lowWaterChars && waiters.length > 0) {
            const woken = waiters;
            waiters = [];
            for (const wake of woken) wake();
          }
        });
    }
  };

  const flush = (): Promise<void> => {
    send();
    return chain.then(() => {
      if (failure) {
        const err = failure;
        failure = null;
        throw err;
      }
    });
  };

  const trackLines = (stepIndex: number, stream: LogStream, text: string) => {
    const entry = lines.get(stepIndex) ?? { last: null, partial: new Map<LogStream, string>() };
    lines.set(stepIndex, entry);
    const parts = ((entry.partial.get(stream) ?? "") + text).split(/\r?\n|\r/);
    entry.partial.set(stream, parts.pop() ?? "");
    for (const line of parts) if (line.trim() !== "") entry.last = line;
  };

  const append = (stepIndex: number, stream: LogStream, text: string) => {
    if (text.length === 0) return;
    if (stream !== "system") trackLines(stepIndex, stream, text);
    const last = pending[pending.length - 1];
    if (last && last.stepIndex === stepIndex && last.stream === stream) last.content += text;
    else pending.push({ stepIndex, stream, content: text });
    buffered += text.length;
    unstored += text.length;
    if (buffered >= maxBufferChars) send();
    else timer ??= setTimeout(send, flushMs);
  };

  return {
    write(stepIndex, stream, text) {
      if (text.length === 0) return;
      // The app's own lines arrive whole, so they are masked whole and never held back.
      if (stream === "system") return append(stepIndex, stream, masker.mask(text));
      const key = `${stepIndex}:${stream}`;
      let entry = maskers.get(key);
      if (!entry) {
        entry = { stepIndex, stream, masking: maskingStream(masker) };
        maskers.set(key, entry);
      }
      append(stepIndex, stream, entry.masking.write(text));
    },
    release(stepIndex) {
      for (const entry of maskers.values()) {
        if (stepIndex === undefined || entry.stepIndex === stepIndex) append(entry.stepIndex, entry.stream, entry.masking.end());
      }
    },
    lastLine(stepIndex) {
      const entry = lines.get(stepIndex);
      if (!entry) return null;
      // An unfinished last line counts too: a step often dies mid-line.
      const unfinished = [...entry.partial.values()].filter((line) => line.trim() !== "");
      return unfinished.at(-1) ?? entry.last;
    },
    flush,
    buffered: () => unstored,
    drained() {
      if (unstored < highWaterChars) return undefined;
      const waiting = new Promise<void>((resolve) => waiters.push(resolve));
      // What waits for the timer goes now: the wait ends only once it is stored.
      send();
      return waiting;
    },
  };
}
