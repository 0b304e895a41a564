import { and, asc, eq, inArray, isNull, notInArray, sql, type SQL } from "drizzle-orm";
import type { Db, Tx } from "../db/client.js";
import { alias } from "drizzle-orm/pg-core";
import { actions, runs } from "../runs/runs.sql.js";
import { checkOutbox } from "../reporting/outbox.sql.js";
import { refreshRunStatus } from "../runs/transitions.js";
import { fromNow } from "../db/interval-sql.js";

export type ClaimedAction = typeof actions.$inferSelect & { run: typeof runs.$inferSelect };

export interface ClaimLimits {
  /** Actions of one installation running at once across all replicas; 0: no limit. */
  perInstallation: number;
}

// A candidate turned down because its run or installation was full is left for later; a few
// more candidates are tried in the same transaction before the worker waits for a wake-up.
const CANDIDATES_PER_CLAIM = 4;

const runLimit = sql<number | null>`(${runs.definition} ->> 'concurrency')::int`;

// Aliases, so the counts inside a query over `actions` and `runs` do not read the outer rows.
const running = alias(actions, "running_actions");
const runningRuns = alias(runs, "running_runs");
const runningFrom = sql`${actions} as ${sql.identifier("running_actions")}`;
const runningRunsJoin = sql`${runs} as ${sql.identifier("running_runs")}`;

/** Running actions of the run; uses the partial index on running actions. */
const runningInRun = (runId: SQL | string) =>
  sql<number>`(select count(*) from ${runningFrom} where ${running.runId} = ${runId} and ${running.status} = 'running')::int`;
const runningInInstallation = (installationId: SQL | number) =>
  sql<number>`(select count(*) from ${runningFrom} inner join ${runningRunsJoin} on ${runningRuns.id} = ${running.runId}
    where ${runningRuns.installationId} = ${installationId} and ${running.status} = 'running')::int`;

/**
 * Takes the oldest pending action this worker may start. SKIP LOCKED lets any number of workers
 * and replicas claim at once without ever taking the same action twice.
 *
 * The per-run (`concurrency:`) and per-installation limits hold across replicas: the candidate's
 * run and installation are serialised with transaction-scoped advisory locks, and only then are
 * their running actions counted, in a statement that sees every claim committed before it.
 */
export async function claimNextAction(
  db: Db,
  workerId: string,
  leaseMs: number,
  limits: ClaimLimits = { perInstallation: 0 },
): Promise<ClaimedAction | null> {
  return db.transaction(async (tx) => {
    const fullRuns: string[] = [];
    const fullInstallations: number[] = [];
    for (let i = 0; i < CANDIDATES_PER_CLAIM; i++) {
      const candidate = await nextCandidate(tx, limits, fullRuns, fullInstallations);
      if (!candidate) return null;
      const { action, run } = candidate;
      const limitedRun = run.definition.concurrency !== undefined;
      const limitedInstallation = limits.perInstallation > 0;
      if (limitedRun || limitedInstallation) {
        // Always installation before run, so two claims never wait on each other in a cycle.
        const locks = [
          limitedInstallation ? sql`pg_advisory_xact_lock(hashtext('automations.installation'), hashtext(${String(run.installationId)}))` : null,
          limitedRun ? sql`pg_advisory_xact_lock(hashtext('automations.run'), hashtext(${run.id}))` : null,
        ].filter((l): l is SQL => l !== null);
        await tx.execute(sql`select ${sql.join(locks, sql`, `)}`);
      }
      const guards: SQL[] = [eq(actions.id, action.id), eq(actions.status, "pending"), isNull(actions.cancelRequestedAt)];
      if (run.definition.concurrency !== undefined) guards.push(sql`${runningInRun(run.id)} < ${run.definition.concurrency}`);
      if (limitedInstallation) guards.push(sql`${runningInInstallation(run.installationId)} < ${limits.perInstallation}`);
      const [claimed] = await tx
        .update(actions)
        .set({
          status: "running",
          claimedBy: workerId,
          leaseExpiresAt: fromNow(leaseMs),
          startedAt: sql`now()`,
          attempts: sql`${actions.attempts} + 1`,
        })
        .where(and(...guards))
        .returning();
      if (!claimed) {
        // Full after all (a claim elsewhere committed since the candidate was chosen).
        if (limitedRun) fullRuns.push(run.id);
        if (limitedInstallation) fullInstallations.push(run.installationId);
        continue;
      }
      await tx.insert(checkOutbox).values({ runId: claimed.runId, actionId: claimed.id, phase: "in_progress" });
      // Any running action makes the run running; only a run that was not yet needs its status written.
      if (run.status !== "running") await refreshRunStatus(tx, claimed.runId);
      return { ...claimed, run: { ...run, status: "running" as const, finishedAt: null } };
    }
    return null;
  });
}

/**
 * The oldest pending action whose run is not cancelled and, as far as this statement can see,
 * not at a limit (the claim checks the limits again under the locks). Locked, skipping rows
 * another claim holds.
 */
async function nextCandidate(tx: Tx, limits: ClaimLimits, fullRuns: string[], fullInstallations: number[]) {
  const filters: SQL[] = [eq(actions.status, "pending"), isNull(actions.cancelRequestedAt), isNull(runs.cancelledBy)];
  filters.push(sql`(${runLimit} is null or ${runningInRun(sql`${actions.runId}`)} < ${runLimit})`);
  if (limits.perInstallation > 0) {
    filters.push(sql`${runningInInstallation(sql`${runs.installationId}`)} < ${limits.perInstallation}`);
  }
  if (fullRuns.length > 0) filters.push(notInArray(actions.runId, fullRuns));
  if (fullInstallations.length > 0) filters.push(notInArray(runs.installationId, fullInstallations));
  const [row] = await tx
    .select({ action: actions, run: runs })
    .from(actions)
    .innerJoin(runs, eq(runs.id, actions.runId))
    .where(and(...filters))
    .orderBy(asc(actions.createdAt), asc(actions.position))
    .limit(1)
    .for("update", { of: actions, skipLocked: true });
  return row ?? null;
}

/** What a heartbeat learns: whether the worker still holds the action, and a cancel waiting for it. */
export type LeaseRenewal = { held: false } | { held: true; cancel: { reason: string } | null };

/** Extends the lease of an action this worker still holds, and reports a cancel asked for it. */
export async function renewLease(db: Db, actionId: string, workerId: string, leaseMs: number): Promise<LeaseRenewal> {
  const rows = await db
    .update(actions)
    .set({ leaseExpiresAt: fromNow(leaseMs) })
    .where(and(eq(actions.id, actionId), eq(actions.claimedBy, workerId), eq(actions.status, "running")))
    .returning({ cancelRequestedAt: actions.cancelRequestedAt, reason: actions.reason });
  const row = rows[0];
  if (!row) return { held: false };
  return { held: true, cancel: row.cancelRequestedAt ? { reason: row.reason ?? "cancelled" } : null };
}

/** Cancels asked for among the actions this worker holds: action id → the reason to end it with. */
export async function cancelsRequested(db: Db, actionIds: string[], workerId: string): Promise<Map<string, string>> {
  if (actionIds.length === 0) return new Map();
  const rows = await db
    .select({ id: actions.id, reason: actions.reason })
    .from(actions)
    .where(
      and(
        inArray(actions.id, actionIds),
        eq(actions.claimedBy, workerId),
        eq(actions.status, "running"),
        sql`${actions.cancelRequestedAt} is not null`,
      ),
    );
  return new Map(rows.map((r) => [r.id, r.reason ?? "cancelled"]));
}
