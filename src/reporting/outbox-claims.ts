import { and, asc, desc, eq, inArray, isNotNull, isNull, min, sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { actions, runs } from "../runs/runs.sql.js";
import { checkOutbox } from "./outbox.sql.js";
import { decideSend, type CheckPhase } from "./coalescing.js";

// The outbox as the reporter works it: which checks have changes due, claiming one check's rows
// for a send (so two reporters never send the same change), and recording how the send went.

/** One check run: an action's (actionId set) or the run's summary (actionId null). */
export interface CheckKey {
  runId: string;
  actionId: string | null;
  installationId: number;
}

export type Claim =
  | { kind: "none" }
  | { kind: "deferred"; until: Date }
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

const unsent = and(isNull(checkOutbox.sentAt), isNull(checkOutbox.gaveUpAt));

function rowsOf(key: Pick<CheckKey, "runId" | "actionId">): SQL {
  return key.actionId !== null
    ? eq(checkOutbox.actionId, key.actionId)
    : (and(eq(checkOutbox.runId, key.runId), isNull(checkOutbox.actionId)) as SQL);
}

/** Checks with a change due now, oldest change first. */
export async function dueChecks(db: Db, limit: number): Promise<CheckKey[]> {
  const first = min(checkOutbox.id);
  return db
    .select({ runId: checkOutbox.runId, actionId: checkOutbox.actionId, installationId: runs.installationId })
    .from(checkOutbox)
    .innerJoin(runs, eq(runs.id, checkOutbox.runId))
    .where(and(unsent, sql`${checkOutbox.notBefore} <= now()`))
    .groupBy(checkOutbox.runId, checkOutbox.actionId, runs.installationId)
    .orderBy(first)
    .limit(limit);
}

/**
 * Takes the waiting rows of one check for a send, or defers them when only progress is waiting
 * and the last update was too recent. Claimed rows are held for `holdMs` (another reporter takes
 * them over if this one dies mid-send) and their attempt is counted before the request is made.
 */
export async function claimCheck(db: Db, key: CheckKey, options: { intervalMs: number; holdMs: number }): Promise<Claim> {
  return db.transaction(async (tx) => {
    // Locked: a second reporter waits here, then finds the rows held (not due) and leaves them.
    const rows = await tx
      .select({
        id: checkOutbox.id,
        phase: checkOutbox.phase,
        attempts: checkOutbox.attempts,
        due: sql<boolean>`${checkOutbox.notBefore} <= now()`,
        nowMs: sql<string>`(extract(epoch from now()) * 1000)::float8`,
      })
      .from(checkOutbox)
      .where(and(rowsOf(key), unsent))
      .orderBy(asc(checkOutbox.id))
      .for("update");
    if (!rows.some((row) => row.due)) return { kind: "none" } as const;
    const ids = rows.map((row) => row.id);

    const [lastSent] = await tx
      .select({ phase: checkOutbox.phase, sentAt: checkOutbox.sentAt })
      .from(checkOutbox)
      .where(and(rowsOf(key), isNotNull(checkOutbox.sentAt)))
      .orderBy(desc(checkOutbox.id))
      .limit(1);
    const claimedAt = new Date(Number(rows[0]!.nowMs));
    const decision = decideSend({
      phases: rows.map((row) => row.phase),
      checkExists: await checkExists(tx, key),
      lastSent: lastSent?.sentAt ? { phase: lastSent.phase, at: lastSent.sentAt } : null,
      now: claimedAt,
      intervalMs: options.intervalMs,
    });
    if (!decision.send) {
      await tx.update(checkOutbox).set({ notBefore: decision.until }).where(inArray(checkOutbox.id, ids));
      return { kind: "deferred", until: decision.until } as const;
    }
    await tx
      .update(checkOutbox)
      .set({ attempts: sql`${checkOutbox.attempts} + 1`, notBefore: sql`now() + ${`${options.holdMs} milliseconds`}::interval` })
      .where(inArray(checkOutbox.id, ids));
    const attempts = Math.max(...rows.map((row) => row.attempts)) + 1;
    return { kind: "claimed", rowIds: ids, attempts, begunBefore: attempts > 1, claimedAt } as const;
  });
}

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

async function checkExists(tx: Tx, key: CheckKey): Promise<boolean> {
  if (key.actionId !== null) {
    const [row] = await tx.select({ id: actions.checkRunId }).from(actions).where(eq(actions.id, key.actionId));
    return row?.id != null;
  }
  const [row] = await tx.select({ id: runs.summaryCheckRunId }).from(runs).where(eq(runs.id, key.runId));
  return row?.id != null;
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
    .set({ lastError: error, notBefore: sql`now() + ${`${Math.round(waitMs)} milliseconds`}::interval` })
    .where(inArray(checkOutbox.id, rowIds));
}

export async function giveUp(db: Db, rowIds: number[], error: string): Promise<void> {
  await db.update(checkOutbox).set({ lastError: error, gaveUpAt: sql`now()` }).where(inArray(checkOutbox.id, rowIds));
}

/** A rate limit holds for the installation's token: none of its checks is sent before it lifts. */
export async function pauseInstallation(db: Db, installationId: number, waitMs: number): Promise<void> {
  const until = sql`now() + ${`${Math.round(waitMs)} milliseconds`}::interval`;
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

/** Milliseconds until the next waiting change is due (0 if one is due now), or null if none waits. */
export async function nextDueInMs(db: Db): Promise<number | null> {
  const [row] = await db
    .select({ ms: sql<string | null>`extract(epoch from (min(${checkOutbox.notBefore}) - now())) * 1000` })
    .from(checkOutbox)
    .where(unsent);
  if (!row || row.ms === null) return null;
  return Math.max(0, Math.ceil(Number(row.ms)));
}

export type { CheckPhase };
