import { tmpdir } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import { createPostgresDatabase, type TestDatabase } from "../helpers/database.js";
import { createQueueRun } from "../helpers/queue-fixture.js";
import { openDatabase, type Database } from "../../src/db/client.js";
import { claimNextAction, type ClaimedAction } from "../../src/queue/claim-action.js";
import { finishAction } from "../../src/runs/transitions.js";
import { actions, runs } from "../../src/runs/runs.sql.js";

// Many claims racing on several connections (as replicas do): the limits per run (`concurrency:`)
// and per installation hold in what the database ends up with, whatever the interleaving.

describe("concurrency limits in the claim (PostgreSQL)", () => {
  let database: TestDatabase;
  let other: Database;
  const limits = { perInstallation: 3 };

  beforeAll(async () => {
    database = await createPostgresDatabase();
    other = await openDatabase({ databaseUrl: database.url, dataDir: tmpdir() });
  });
  afterAll(async () => {
    await other?.close();
    await database?.destroy();
  });

  /** Rounds of 30 claims at once over both pools, until a round claims nothing. */
  async function claimUntilFull(): Promise<ClaimedAction[]> {
    const claimed: ClaimedAction[] = [];
    for (let round = 0; round < 10; round++) {
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => claimNextAction(i % 2 === 0 ? database.db : other.db, `racer-${i}`, 60_000, limits)),
      );
      const got = results.filter((r): r is ClaimedAction => r !== null);
      claimed.push(...got);
      if (got.length === 0) return claimed;
    }
    throw new Error("claims kept succeeding past every limit");
  }

  const runningBy = async () => {
    const rows = await database.db
      .select({ runId: actions.runId, installationId: runs.installationId, count: sql<number>`count(*)::int` })
      .from(actions)
      .innerJoin(runs, eq(runs.id, actions.runId))
      .where(eq(actions.status, "running"))
      .groupBy(actions.runId, runs.installationId);
    const perRun = new Map(rows.map((r) => [r.runId, r.count]));
    const perInstallation = new Map<number, number>();
    for (const r of rows) perInstallation.set(r.installationId, (perInstallation.get(r.installationId) ?? 0) + r.count);
    return { perRun, perInstallation };
  };

  it("never runs more of a run or of an installation than allowed, and fills up to the limits", async () => {
    const cloneUrl = "http://127.0.0.1:9/unused.git";
    const limitedRun = await createQueueRun(database.db, { deliveryId: "limits-a", cloneUrl, targets: 10, steps: ["true"], installationId: 1, concurrency: 2 });
    const openRun = await createQueueRun(database.db, { deliveryId: "limits-b", cloneUrl, targets: 10, steps: ["true"], installationId: 1 });
    const otherInstallation = await createQueueRun(database.db, { deliveryId: "limits-c", cloneUrl, targets: 6, steps: ["true"], installationId: 2 });
    const single = await createQueueRun(database.db, { deliveryId: "limits-d", cloneUrl, targets: 4, steps: ["true"], installationId: 3, concurrency: 1 });

    const first = await claimUntilFull();
    let { perRun, perInstallation } = await runningBy();
    expect(perRun.get(limitedRun) ?? 0).toBeLessThanOrEqual(2);
    expect(perRun.get(single)).toBe(1);
    expect(Object.fromEntries(perInstallation)).toEqual({ 1: 3, 2: 3, 3: 1 });
    expect(first).toHaveLength(7);
    expect(new Set(first.map((a) => a.id)).size).toBe(7);

    // Finishing actions frees their places, and only theirs.
    for (const action of first.filter((a) => a.run.installationId === 1)) {
      await finishAction(database.db, { actionId: action.id, workerId: action.claimedBy!, attempt: action.attempts }, { status: "done" });
    }
    const second = await claimUntilFull();
    ({ perRun, perInstallation } = await runningBy());
    expect(second.every((a) => a.run.installationId === 1)).toBe(true);
    expect(second).toHaveLength(3);
    expect(perRun.get(limitedRun) ?? 0).toBeLessThanOrEqual(2);
    expect(Object.fromEntries(perInstallation)).toEqual({ 1: 3, 2: 3, 3: 1 });
    expect(openRun).toBeTruthy();
    expect(otherInstallation).toBeTruthy();

    // Without an installation limit, the run's own limit still holds.
    const unlimited = await Promise.all(Array.from({ length: 12 }, (_, i) => claimNextAction(i % 2 ? database.db : other.db, `free-${i}`, 60_000)));
    expect(unlimited.filter((a) => a?.runId === single)).toHaveLength(0);
    ({ perRun } = await runningBy());
    expect(perRun.get(limitedRun) ?? 0).toBeLessThanOrEqual(2);
    expect(perRun.get(single)).toBe(1);
    const pendingOfLimited = await database.db
      .select({ count: sql<number>`count(*)::int` })
      .from(actions)
      .where(and(eq(actions.runId, limitedRun), eq(actions.status, "pending")));
    expect(pendingOfLimited[0]!.count).toBeGreaterThan(0);
  });
});
