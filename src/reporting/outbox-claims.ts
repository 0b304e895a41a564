import { and, eq, inArray, isNotNull, min, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db } from "../db/client.js";
import { actions, runs } from "../runs/runs.sql.js";
import { checkOutbox } from "./outbox.sql.js";
import { rowsOfCheck, unsent } from "./check-rows.js";
import { decideSend, type CheckPhase } from "./coalescing.js";
import { fromNow } from "../db/interval-sql.js";

// The outbox as the reporter works it: which checks have changes due, claiming one check's rows
// for a send (so two reporters never send the same change), and recording how the send went.

/** One check run: an action's (actionId set) or the run's summary (actionId null). */
export interface CheckKey {
  runId: string;
  actionId: string | null;
  installationId: number;
}

/** `dueInMs`: how long until the check's waiting rows are due, as the claim found them. */
export type Claim =
  | { kind: "none"; dueInMs: number | null }
  | { kind: "deferred"; until: Date; dueInMs: number }
  | {
      kind: "claimed";
      rowIds: number[];
      /** Sends begun for this work, this one included. */
      attempts: number;
      /** An earlier send began and did not finish: a create may have happened without its id stored. */
      begunBefore: boolean;
      /** The database's clock at the claim: the state sent is at least this recent. */
      claimedAt: Date;
    };

export interface DueChecks {
  /** Checks with a change due now, oldest change first. */
  due: CheckKey[];
  /** Milliseconds until the next change that is not due yet will be, or null if none waits. */
  nextDueInMs: number | null;
}

/** What is due now, and when the rest will be: one statement for both. */
export async function dueChecks(db: Db, limit: number): Promise<DueChecks> {
  const first = min(checkOutbox.id);
  const due = db
    .select({ runId: checkOutbox.runId, actionId: checkOutbox.actionId, installationId: runs.installationId, first: sql<number>`${first}`.as("first") })
    .from(checkOutbox)
    .innerJoin(runs, eq(runs.id, checkOutbox.runId))
    .where(and(unsent, sql`${checkOutbox.notBefore} <= now()`))
    .groupBy(checkOutbox.runId, checkOutbox.actionId, runs.installationId)
    .orderBy(first)
    .limit(limit)
    .as("due");
  // One row whatever is due, so the next due time comes back even when nothing is due now.
  const later = db
    .select({ ms: sql<string | null>`extract(epoch from (min(${checkOutbox.notBefore}) - now())) * 1000`.as("ms") })
    .from(checkOutbox)
    .where(and(unsent, sql`${checkOutbox.notBefore} > now()`))
    .as("later");
  const rows = await db
    .select({ runId: due.runId, actionId: due.actionId, installationId: due.installationId, laterMs: later.ms })
    .from(later)
    .leftJoin(due, sql`true`)
    .orderBy(due.first);
  const laterMs = rows[0]?.laterMs ?? null;
  return {
    due: rows.flatMap((row) => (row.runId === null ? [] : [{ runId: row.runId, actionId: row.actionId, installationId: row.installationId! }])),
    nextDueInMs: laterMs === null ? null : Math.max(0, Math.ceil(Number(laterMs))),
  };
}

/**
 * Takes the waiting rows of one check for a send, or defers them when only progress is waiting
 * and the last update was too recent. Claimed rows are held for `holdMs` (another reporter takes
 * them over if this one dies mid-send) and their attempt is counted before the request is made.
 */
export async function claimCheck(db: Db, key: CheckKey, options: { intervalMs: number; holdMs: number }): Promise<Claim> {
  // One statement, no transaction: the waiting rows are locked (a second reporter waits here, then
  // finds them held, not due, and leaves them) and, when one is due, held for the send at once;
  // what decides the send comes back beside them, from before the hold. The subqueries lock
  // nothing and read the statement's snapshot: a send another reporter records while this one
  // waits for the lock is not seen. At worst one progress update goes sooner or later than the
  // interval asks; no change is lost, and rows another reporter holds are still left to it.
  const sent = alias(checkOutbox, "sent");
  const lastSent = sql`(select ${sent.phase} as phase, ${sent.sentAt} as at from ${checkOutbox} as ${sql.identifier("sent")} where ${and(rowsOfCheck(sent, key), isNotNull(sent.sentAt))} order by ${sent.id} desc limit 1)`;
  const hold = fromNow(options.holdMs);
  const result = (await db.execute(sql`
    with waiting as (
      select ${checkOutbox.id} as id, ${checkOutbox.phase} as phase, ${checkOutbox.attempts} as attempts, ${checkOutbox.notBefore} as not_before
      from ${checkOutbox}
      where ${and(rowsOfCheck(checkOutbox, key), unsent)}
      order by ${checkOutbox.id}
      for update
    ), held as (
      update ${checkOutbox} set attempts = ${checkOutbox.attempts} + 1, not_before = ${hold}
      where ${checkOutbox.id} in (select id from waiting) and exists (select 1 from waiting where not_before <= now())
      returning ${checkOutbox.id}
    )
    select waiting.id::float8 as id, waiting.phase::text as phase, waiting.attempts, waiting.not_before <= now() as due,
      (extract(epoch from (waiting.not_before - now())) * 1000)::float8 as due_in_ms,
      (extract(epoch from now()) * 1000)::float8 as now_ms,
      last_sent.phase::text as last_sent_phase, (extract(epoch from last_sent.at) * 1000)::float8 as last_sent_ms,
      exists (${checkRunOf(db, key)}) as check_exists
    from waiting left join lateral ${lastSent} last_sent on true
    order by waiting.id`)) as unknown as { rows: ClaimRow[] };
  const rows = result.rows.map((row) => ({ ...row, id: Number(row.id), attempts: Number(row.attempts) }));
  if (!rows.some((row) => row.due)) {
    const dueInMs = rows.length > 0 ? Math.max(0, Math.min(...rows.map((row) => Number(row.due_in_ms)))) : null;
    return { kind: "none", dueInMs };
  }
  const ids = rows.map((row) => row.id);
  const { last_sent_phase: lastSentPhase, last_sent_ms: lastSentMs, check_exists: checkExists, now_ms: nowMs } = rows[0]!;
  const claimedAt = new Date(Number(nowMs));
  const decision = decideSend({
    phases: rows.map((row) => row.phase),
    checkExists,
    lastSent: lastSentMs !== null && lastSentPhase !== null ? { phase: lastSentPhase, at: new Date(Number(lastSentMs)) } : null,
    now: claimedAt,
    intervalMs: options.intervalMs,
  });
  if (!decision.send) {
    // Held for nothing: given back, due when the interval has passed.
    await db
      .update(checkOutbox)
      .set({ attempts: sql`${checkOutbox.attempts} - 1`, notBefore: decision.until })
      .where(inArray(checkOutbox.id, ids));
    return { kind: "deferred", until: decision.until, dueInMs: Math.max(0, decision.until.getTime() - claimedAt.getTime()) };
  }
  const attempts = Math.max(...rows.map((row) => row.attempts)) + 1;
  return { kind: "claimed", rowIds: ids, attempts, begunBefore: attempts > 1, claimedAt };
}

/** A waiting row as the claim reads it; numbers that may come back as text are converted. */
interface ClaimRow {
  id: number | string;
  phase: CheckPhase;
  attempts: number | string;
  due: boolean;
  due_in_ms: number | string;
  now_ms: number | string;
  last_sent_phase: CheckPhase | null;
  last_sent_ms: number | string | null;
  check_exists: boolean;
}

/** The check's stored check run id, as a subquery that finds a row only when there is one. */
function checkRunOf(db: Db, key: CheckKey) {
  if (key.actionId !== null) {
    return db.select({ id: actions.checkRunId }).from(actions).where(and(eq(actions.id, key.actionId), isNotNull(actions.checkRunId)));
  }
  return db.select({ id: runs.summaryCheckRunId }).from(runs).where(and(eq(runs.id, key.runId), isNotNull(runs.summaryCheckRunId)));
}

/**
 * `stateAt`: when the state that was sent was read (the claim). Changes made after it, while the
 * request was on its way, are newer than the send and are sent again.
 */
export async function markSent(db: Db, rowIds: number[], stateAt: Date): Promise<void> {
  await db.update(checkOutbox).set({ sentAt: stateAt, lastError: null }).where(inArray(checkOutbox.id, rowIds));
}

export async function retryLater(db: Db, rowIds: number[], waitMs: number, error: string): Promise<void> {
  await db
    .update(checkOutbox)
    .set({ lastError: error, notBefore: fromNow(waitMs) })
    .where(inArray(checkOutbox.id, rowIds));
}

export async function giveUp(db: Db, rowIds: number[], error: string): Promise<void> {
  await db.update(checkOutbox).set({ lastError: error, gaveUpAt: sql`now()` }).where(inArray(checkOutbox.id, rowIds));
}

/** A rate limit holds for the installation's token: none of its checks is sent before it lifts. */
export async function pauseInstallation(db: Db, installationId: number, waitMs: number): Promise<void> {
  const until = fromNow(waitMs);
  await db
    .update(checkOutbox)
    .set({ notBefore: sql`greatest(${checkOutbox.notBefore}, ${until})` })
    .where(
      and(
        unsent,
        inArray(checkOutbox.runId, db.select({ id: runs.id }).from(runs).where(eq(runs.installationId, installationId))),
      ),
    );
}

export type { CheckPhase };
