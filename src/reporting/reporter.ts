import { and, asc, eq, inArray, isNull, lte, sql } from "drizzle-orm";
import type { Logger } from "pino";
import type { Db } from "../db/client.js";
import { actions } from "../runs/runs.sql.js";
import { isFinished } from "../runs/statuses.js";
import { checkOutbox } from "./outbox.sql.js";
import { loadActionView } from "./load-action-view.js";
import { renderActionCheck } from "./render-action-check.js";
import { checkRunStatus } from "./check-status.js";
import type { ChecksApi, CheckRunFields } from "./checks-api.js";
import { waitForWork } from "../queue/idle-wait.js";
import type { Wakeups } from "../queue/wakeups.js";

type OutboxRow = typeof checkOutbox.$inferSelect;
type Phase = OutboxRow["phase"];

export interface ReporterOptions {
  db: Db;
  checks: ChecksApi;
  wakeups: Wakeups;
  log: Logger;
  pollMs: number;
  /** Longest wait before retrying a failed send. */
  maxBackoffMs?: number;
}

export interface Reporter {
  /** Sends what is due now; resolves when nothing more is due. */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Keeps check runs in step with the database from the outbox. Rows of one action are sent in
 * order, so a check is seen queued, then in progress, then completed; consecutive rows of the
 * same phase are sent as one update of the current state.
 */
export function startReporter(options: ReporterOptions): Reporter {
  const { db, wakeups, log, pollMs } = options;
  const abort = new AbortController();

  const sendDue = async (): Promise<number> => {
    const due = await db
      .select()
      .from(checkOutbox)
      .where(and(isNull(checkOutbox.sentAt), lte(checkOutbox.notBefore, sql`now()`)))
      .orderBy(asc(checkOutbox.id))
      .limit(500);
    const byAction = new Map<string, OutboxRow[]>();
    for (const row of due) {
      if (!row.actionId) continue;
      const list = byAction.get(row.actionId) ?? [];
      list.push(row);
      byAction.set(row.actionId, list);
    }
    let sent = 0;
    for (const [actionId, rows] of byAction) {
      sent += await sendActionRows(actionId, rows);
    }
    return sent;
  };

  const sendActionRows = async (actionId: string, rows: OutboxRow[]): Promise<number> => {
    let i = 0;
    while (i < rows.length) {
      const phase = rows[i]!.phase;
      let j = i;
      while (j < rows.length && rows[j]!.phase === phase) j++;
      const batch = rows.slice(i, j);
      try {
        await sendPhase(actionId, phase);
        await db
          .update(checkOutbox)
          .set({ sentAt: sql`now()` })
          .where(inArray(checkOutbox.id, batch.map((r) => r.id)));
      } catch (err) {
        const attempts = Math.max(...batch.map((r) => r.attempts)) + 1;
        const backoff = Math.min(options.maxBackoffMs ?? 300_000, 1000 * 2 ** Math.min(attempts, 16));
        log.warn({ err, actionId, phase, attempts }, "could not update the check run; will retry");
        await db
          .update(checkOutbox)
          .set({
            attempts,
            lastError: err instanceof Error ? err.message : String(err),
            notBefore: sql`now() + ${`${backoff} milliseconds`}::interval`,
          })
          .where(inArray(checkOutbox.id, rows.slice(i).map((r) => r.id)));
        return i;
      }
      i = j;
    }
    return rows.length;
  };

  const sendPhase = async (actionId: string, phase: Phase) => {
    const state = await loadActionView(db, actionId);
    if (!state) return;
    // Show the phase this row records, even if the action has moved on since.
    const view =
      phase === "queued"
        ? { ...state.view, status: "pending" as const }
        : phase === "in_progress" && isFinished(state.view.status)
          ? { ...state.view, status: "running" as const }
          : state.view;
    const rendered = renderActionCheck(view);
    const status = checkRunStatus(view);
    const fields: CheckRunFields = {
      name: rendered.name,
      status: status.status,
      external_id: actionId,
      output: { title: rendered.title, summary: rendered.summary },
      ...(view.startedAt && status.status !== "queued" ? { started_at: view.startedAt.toISOString() } : {}),
      ...(status.status === "completed"
        ? { conclusion: status.conclusion, completed_at: (view.finishedAt ?? new Date()).toISOString() }
        : {}),
    };
    if (state.checkRunId === null) {
      const { id } = await options.checks.create(state.installationId, state.checkRepository, state.headSha, fields);
      await db.update(actions).set({ checkRunId: id }).where(and(eq(actions.id, actionId), isNull(actions.checkRunId)));
    } else {
      await options.checks.update(state.installationId, state.checkRepository, state.checkRunId, fields);
    }
  };

  let draining: Promise<void> | null = null;
  const drain = () => {
    draining ??= (async () => {
      try {
        while ((await sendDue()) > 0 && !abort.signal.aborted) {
          // keep going while there is work
        }
      } finally {
        draining = null;
      }
    })();
    return draining;
  };

  const loop = (async () => {
    while (!abort.signal.aborted) {
      try {
        await drain();
      } catch (err) {
        log.error({ err }, "reporter pass failed; retrying shortly");
      }
      await waitForWork(wakeups, "checks", pollMs, abort.signal);
    }
  })();

  return {
    drain,
    async stop() {
      abort.abort();
      await loop;
    },
  };
}
