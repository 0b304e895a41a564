import type { Db } from "../db/client.js";
import { logChunks } from "./logs.sql.js";

export type LogStream = "stdout" | "stderr" | "system";

export interface LogWriter {
  write(stepIndex: number, stream: LogStream, text: string): void;
  /** Stores everything written so far. */
  flush(): Promise<void>;
}

/** The step index of the app's own lines (clone, container start, cleanup). */
export const SYSTEM_STEP = -1;

/**
 * Collects an action's output and stores it in batches: often enough that the log is current,
 * rarely enough that a chatty step does not become one insert per line.
 */
export function createLogWriter(db: Db, actionId: string, options: { flushMs?: number; maxBufferChars?: number } = {}): LogWriter {
  const flushMs = options.flushMs ?? 500;
  const maxBufferChars = options.maxBufferChars ?? 64 * 1024;
  let pending: Array<{ stepIndex: number; stream: LogStream; content: string }> = [];
  let buffered = 0;
  let timer: NodeJS.Timeout | null = null;
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown = null;

  const flush = (): Promise<void> => {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    const batch = pending;
    pending = [];
    buffered = 0;
    if (batch.length > 0) {
      chain = chain
        .then(async () => {
          await db.insert(logChunks).values(batch.map((c) => ({ ...c, actionId })));
        })
        .catch((err: unknown) => {
          // Later batches still go in; the caller hears of the loss at its next flush.
          failure = err;
        });
    }
    return chain.then(() => {
      if (failure) {
        const err = failure;
        failure = null;
        throw err;
      }
    });
  };

  return {
    write(stepIndex, stream, text) {
      if (text.length === 0) return;
      const last = pending[pending.length - 1];
      if (last && last.stepIndex === stepIndex && last.stream === stream) last.content += text;
      else pending.push({ stepIndex, stream, content: text });
      buffered += text.length;
      if (buffered >= maxBufferChars) void flush().catch(() => {});
      else timer ??= setTimeout(() => void flush().catch(() => {}), flushMs);
    },
    flush,
  };
}
