import type { Db } from "../db/client.js";
import { storableText } from "../db/storable-text.js";
import { retryWhileUnreachable } from "../db/retry-while-unreachable.js";
import { createMasker, maskingStream, type Masker, type MaskingStream } from "../security/mask-secrets.js";
import { createLastLines } from "./last-lines.js";
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

export interface LogWriterOptions {
  /** How long a little output may wait for more before it is stored, so the log stays current. */
  flushMs?: number;
  /** Characters per stored chunk: a chunk is closed once it holds this many. */
  maxBufferChars?: number;
  /** Characters per insert at most: output that waited while the last insert ran goes in one. */
  maxInsertChars?: number;
  /** Characters held before the producer is paused; it resumes at half of them. */
  highWaterChars?: number;
  masker?: Masker;
}

/** The step index of the app's own lines (clone, container start, cleanup). */
export const SYSTEM_STEP = -1;

interface Chunk {
  stepIndex: number;
  stream: LogStream;
  content: string;
}

/**
 * Collects an action's output and stores it in chunks: often enough that the log is current,
 * rarely enough that a chatty step does not become one insert per line. One insert runs at a
 * time and takes all that waited meanwhile (up to a bound), so a step printing faster than the
 * database stores makes few large inserts rather than many small ones.
 */
export function createLogWriter(db: Db, actionId: string, options: LogWriterOptions = {}): LogWriter {
  const flushMs = options.flushMs ?? 500;
  const chunkChars = options.maxBufferChars ?? 64 * 1024;
  const insertChars = Math.max(options.maxInsertChars ?? 512 * 1024, chunkChars);
  // Output faster than the database stores it waits here; past the mark the producer is paused.
  // Room for one insert running and the next one filling, so pausing does not starve the database.
  const highWaterChars = Math.max(options.highWaterChars ?? 2 * insertChars, chunkChars);
  const lowWaterChars = Math.floor(highWaterChars / 2);
  const masker = options.masker ?? createMasker([]);
  // One masking stream per step and stream: stdout and stderr interleave, each split on its own.
  const maskers = new Map<string, { stepIndex: number; stream: LogStream; masking: MaskingStream }>();
  const lines = createLastLines();
  // Chunks waiting for an insert, oldest first; only the newest one still grows.
  const pending: Chunk[] = [];
  let pendingChars = 0;
  // Pending plus being inserted: what the writer holds in memory.
  let unstored = 0;
  let inserting = false;
  // Set when what waits must go without waiting for a full chunk (the timer, a flush, a pause).
  let urgent = false;
  let waiters: Array<() => void> = [];
  let timer: NodeJS.Timeout | null = null;
  // Settles when the running insert has ended.
  let current: Promise<void> = Promise.resolve();
  let failure: unknown = null;

  const takeBatch = (): { rows: Chunk[]; chars: number } => {
    const rows: Chunk[] = [];
    let chars = 0;
    while (pending.length > 0 && (rows.length === 0 || chars + pending[0]!.content.length <= insertChars)) {
      const chunk = pending.shift()!;
      rows.push(chunk);
      chars += chunk.content.length;
    }
    pendingChars -= chars;
    return { rows, chars };
  };

  const wakeProducers = () => {
    if (unstored > lowWaterChars || waiters.length === 0) return;
    const woken = waiters;
    waiters = [];
    for (const wake of woken) wake();
  };

  // Starts an insert when one is due and none runs; each insert's end starts the next.
  const pump = (): void => {
    if (inserting || pending.length === 0) return;
    // A chunk still filling waits for more output, unless told to go or others are already full.
    if (!urgent && pendingChars < chunkChars) {
      timer ??= setTimeout(() => {
        timer = null;
        urgent = true;
        pump();
      }, flushMs);
      return;
    }
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    const batch = takeBatch();
    if (pending.length === 0) urgent = false;
    inserting = true;
    let finished!: () => void;
    current = new Promise((resolve) => (finished = resolve));
    // A database restart holds the output back (the producer stays paused) rather than losing it.
    void retryWhileUnreachable(() =>
      db.insert(logChunks).values(batch.rows.map((c) => ({ actionId, stepIndex: c.stepIndex, stream: c.stream, content: c.content }))),
    )
      .then(
        () => {},
        (err: unknown) => {
          // Later chunks still go in; the caller hears of the loss at its next flush.
          failure = err;
        },
      )
      .finally(() => {
        inserting = false;
        // Stored or lost, the batch no longer takes memory: a failure must not stall the producer.
        unstored -= batch.chars;
        finished();
        wakeProducers();
        pump();
      });
  };

  const append = (stepIndex: number, stream: LogStream, given: string) => {
    if (given.length === 0) return;
    const text = storableText(given);
    if (stream !== "system") lines.track(stepIndex, stream, text);
    const last = pending[pending.length - 1];
    if (last && last.stepIndex === stepIndex && last.stream === stream && last.content.length < chunkChars) last.content += text;
    else pending.push({ stepIndex, stream, content: text });
    pendingChars += text.length;
    unstored += text.length;
    pump();
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
    lastLine: (stepIndex) => lines.last(stepIndex),
    async flush() {
      while (inserting || pending.length > 0) {
        urgent = true;
        pump();
        await current;
      }
      if (failure) {
        const err = failure;
        failure = null;
        throw err;
      }
    },
    buffered: () => unstored,
    drained() {
      if (unstored < highWaterChars) return undefined;
      const waiting = new Promise<void>((resolve) => waiters.push(resolve));
      // What waits for the timer goes now: the wait ends only once it is stored.
      urgent = true;
      pump();
      return waiting;
    },
  };
}
