import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asc, eq } from "drizzle-orm";
import pino from "pino";
import Docker from "dockerode";
import { createPostgresDatabase, type TestDatabase } from "../helpers/database.js";
import { recordTestRun } from "../helpers/test-runs.js";
import { ensureTestImage, shouldSkipDockerTests, TEST_IMAGE } from "../helpers/docker.js";
import { DockerRuntime } from "../../src/execution/docker/docker-runtime.js";
import { ACTION_LABEL } from "../../src/execution/container-labels.js";
import { claimNextAction } from "../../src/queue/claim-action.js";
import { recoverLostActions } from "../../src/queue/recover-lost-actions.js";
import { finishAction, startStep } from "../../src/runs/transitions.js";
import { actions, actionSteps, runs } from "../../src/runs/runs.sql.js";
import { checkOutbox } from "../../src/reporting/outbox.sql.js";

const skip = await shouldSkipDockerTests();
const log = pino({ level: "silent" });

describe.skipIf(skip)("recovering actions whose worker was lost (PostgreSQL, Docker)", () => {
  let database: TestDatabase;
  const runtime = new DockerRuntime();
  const docker = new Docker();

  beforeAll(async () => {
    await ensureTestImage();
    database = await createPostgresDatabase();
  });
  afterAll(async () => {
    await database?.destroy();
  });

  async function newRun(deliveryId: string) {
    const source = ["container:", `  image: ${TEST_IMAGE}`, "steps:", "  - name: One", "    run: echo one", "  - name: Two", "    run: echo two"].join("\n");
    return recordTestRun(database.db, {
      source,
      automation: "lost",
      repository: "acme/app",
      headSha: "a".repeat(40),
      deliveryId,
      targets: [{ repository: "acme/app", repositoryId: 1, cloneUrl: "https://example.invalid/acme/app.git", ref: "main", project: null }],
    });
  }

  /** Claims the run's action as a worker that then dies: its lease runs out at once. */
  async function claimAsDeadWorker(worker: string) {
    const claimed = await claimNextAction(database.db, worker, 1);
    if (!claimed) throw new Error("nothing to claim");
    const container = await runtime.start({
      image: TEST_IMAGE,
      workspaceDir: "/tmp",
      workspaceMount: "/workspace",
      env: {},
      labels: { [ACTION_LABEL]: claimed.id },
      network: "none",
      resources: {},
    });
    await new Promise((r) => setTimeout(r, 20));
    return { claimed, container, claim: { actionId: claimed.id, workerId: worker, attempt: claimed.attempts } };
  }

  const containersOf = (actionId: string) =>
    docker.listContainers({ all: true, filters: { label: [`${ACTION_LABEL}=${actionId}`] } });

  it("queues an action again when its worker died before any step, and removes the container it left", async () => {
    const runId = await newRun("recover-1");
    const { claimed, claim } = await claimAsDeadWorker("dead-worker-1");

    const recovery = await recoverLostActions(database.db, runtime, log);

    expect(recovery).toEqual({ retried: [claimed.id], failed: [], stopped: [] });
    expect(await containersOf(claimed.id)).toEqual([]);
    const [action] = await database.db.select().from(actions).where(eq(actions.id, claimed.id));
    expect(action).toMatchObject({ status: "pending", claimedBy: null });
    const phases = await database.db.select({ phase: checkOutbox.phase }).from(checkOutbox).where(eq(checkOutbox.actionId, claimed.id)).orderBy(asc(checkOutbox.id));
    expect(phases.map((p) => p.phase)).toEqual(["queued", "in_progress", "queued"]);
    const [run] = await database.db.select().from(runs).where(eq(runs.id, runId));
    expect(run?.status).toBe("pending");

    // The stalled worker wakes up: nothing it writes lands any more.
    expect(await startStep(database.db, claim, 0)).toBe(false);
    expect(await finishAction(database.db, claim, { status: "done" })).toBe(false);
  });

  it("fails an action whose worker died during a step, with the reason, once the retry is used up", async () => {
    const runId = await newRun("recover-2");
    // First attempt lost before any step: retried.
    await claimAsDeadWorker("dead-worker-2a");
    await recoverLostActions(database.db, runtime, log);
    // Second attempt lost in the middle of step One.
    const { claimed, claim } = await claimAsDeadWorker("dead-worker-2b");
    expect(await startStep(database.db, claim, 0)).toBe(true);
    await new Promise((r) => setTimeout(r, 20));

    const recovery = await recoverLostActions(database.db, runtime, log);

    expect(recovery).toEqual({ retried: [], failed: [claimed.id], stopped: [] });
    expect(await containersOf(claimed.id)).toEqual([]);
    const [action] = await database.db.select().from(actions).where(eq(actions.id, claimed.id));
    expect(action?.status).toBe("failed");
    expect(action?.reason).toContain("worker lost");
    expect(action?.reason).toContain("dead-worker-2b");
    const steps = await database.db.select().from(actionSteps).where(eq(actionSteps.actionId, claimed.id)).orderBy(asc(actionSteps.index));
    expect(steps.map((s) => [s.name, s.status, s.reason])).toEqual([
      ["One", "failed", "worker lost"],
      ["Two", "skipped", null],
    ]);
    const [run] = await database.db.select().from(runs).where(eq(runs.id, runId));
    expect(run?.status).toBe("failed");
    const phases = await database.db.select({ phase: checkOutbox.phase }).from(checkOutbox).where(eq(checkOutbox.actionId, claimed.id)).orderBy(asc(checkOutbox.id));
    expect(phases.at(-1)?.phase).toBe("completed");
  });

  it("leaves alone an action whose worker still renews its lease", async () => {
    await newRun("recover-3");
    const claimed = await claimNextAction(database.db, "live-worker", 60_000);
    const recovery = await recoverLostActions(database.db, runtime, log);
    expect(recovery).toEqual({ retried: [], failed: [], stopped: [] });
    const [action] = await database.db.select().from(actions).where(eq(actions.id, claimed!.id));
    expect(action).toMatchObject({ status: "running", claimedBy: "live-worker" });
  });
});
