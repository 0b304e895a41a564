import { mkdtemp, readdir, rm } from "node:fs/promises";
import { randomUUID } from "node:crypto";
import { PassThrough } from "node:stream";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { and, asc, eq } from "drizzle-orm";
import Docker from "dockerode";
import pino from "pino";
import { createPostgresDatabase, type TestDatabase } from "../helpers/database.js";
import { ensureTestImage, shouldSkipDockerTests } from "../helpers/docker.js";
import { startGitServer, type GitServer } from "../helpers/git-server.js";
import { createQueueRun, QUEUE_TOKEN, queueExecutionDeps } from "../helpers/queue-fixture.js";
import { waitFor } from "../helpers/wait-for.js";
import { openDatabase, type Database } from "../../src/db/client.js";
import { DockerRuntime } from "../../src/execution/docker/docker-runtime.js";
import type { ContainerRuntime, ContainerSpec, RunningContainer } from "../../src/execution/container-runtime.js";
import { ACTION_LABEL, RUN_LABEL } from "../../src/execution/container-labels.js";
import { executeAction } from "../../src/execution/execute-action.js";
import { claimNextAction } from "../../src/queue/claim-action.js";
import { openWakeups } from "../../src/queue/open-wakeups.js";
import { startWorker, type Worker } from "../../src/queue/worker.js";
import type { Wakeups } from "../../src/queue/wakeups.js";
import { cancelAction, cancelRun } from "../../src/runs/cancel.js";
import { actions, actionSteps, runs } from "../../src/runs/runs.sql.js";
import { checkOutbox } from "../../src/reporting/outbox.sql.js";
import { checkRunStatus } from "../../src/reporting/check-status.js";

const skip = await shouldSkipDockerTests();
const log = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
const docker = new Docker();

/** A runtime whose `start` waits until the test opens the gate, to cancel before a container exists. */
function gatedRuntime(inner: ContainerRuntime) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let starting!: () => void;
  const startRequested = new Promise<void>((resolve) => (starting = resolve));
  const runtime: ContainerRuntime = {
    async start(spec: ContainerSpec): Promise<RunningContainer> {
      starting();
      await gate;
      return inner.start(spec);
    },
    removeByLabel: (key, value) => inner.removeByLabel(key, value),
  };
  return { runtime, open, startRequested };
}

describe.skipIf(skip)("cancelling runs and actions (PostgreSQL, Docker)", () => {
  let database: TestDatabase;
  let wakeups: Wakeups;
  let git: GitServer;
  let cloneUrl: string;
  let workspaceRoot: string;
  const runtime = new DockerRuntime();
  let worker: Worker | null = null;
  let delivery = 0;

  beforeAll(async () => {
    await ensureTestImage();
    database = await createPostgresDatabase();
    wakeups = await openWakeups(database, log);
    git = await startGitServer({ token: QUEUE_TOKEN });
    ({ cloneUrl } = await git.createRepo("acme/app", { "README.md": "hello\n" }));
    workspaceRoot = await mkdtemp(join(tmpdir(), "automations-cancel-"));
  });
  afterEach(async () => {
    await worker?.stop();
    worker = null;
  });
  afterAll(async () => {
    await wakeups?.close?.();
    await database?.destroy();
    await git?.close();
    if (workspaceRoot) await rm(workspaceRoot, { recursive: true, force: true });
  });

  function work(options: { concurrency?: number; runtime?: ContainerRuntime; leaseMs?: number; shutdownGraceMs?: number } = {}) {
    const rt = options.runtime ?? runtime;
    worker = startWorker({
      db: database.db,
      wakeups,
      workerId: `cancel-test-${++delivery}`,
      concurrency: options.concurrency ?? 2,
      // Long leases: heartbeats (the fallback) come rarely, so a quick stop proves the wake-up worked.
      leaseMs: options.leaseMs ?? 60_000,
      pollMs: 60_000,
      shutdownGraceMs: options.shutdownGraceMs ?? 30_000,
      log,
      execute: (action, signal) => executeAction(queueExecutionDeps({ db: database.db, runtime: rt, workspaceRoot, log }), action, signal),
    });
    return worker;
  }

  const newRun = async (targets: number, steps: string[]) => {
    const runId = await createQueueRun(database.db, { deliveryId: `cancel-${++delivery}`, cloneUrl, targets, steps });
    wakeups.notify("actions");
    return runId;
  };

  const actionsOf = (runId: string) =>
    database.db.select().from(actions).where(eq(actions.runId, runId)).orderBy(asc(actions.position));
  const stepsOf = (actionId: string) =>
    database.db.select().from(actionSteps).where(eq(actionSteps.actionId, actionId)).orderBy(asc(actionSteps.index));
  const containersOfRun = (runId: string) => docker.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`] } });
  const phasesOf = async (actionId: string) =>
    (await database.db.select({ phase: checkOutbox.phase }).from(checkOutbox).where(eq(checkOutbox.actionId, actionId)).orderBy(asc(checkOutbox.id))).map((r) => r.phase);
  const runningStep = (runId: string) =>
    waitFor("a step to be running", async () => {
      const rows = await database.db
        .select({ actionId: actionSteps.actionId })
        .from(actionSteps)
        .innerJoin(actions, eq(actions.id, actionSteps.actionId))
        .where(and(eq(actions.runId, runId), eq(actionSteps.status, "running")));
      return rows[0]?.actionId ?? false;
    });
  const finished = (runId: string) =>
    waitFor("the run to finish", async () => {
      const [run] = await database.db.select().from(runs).where(eq(runs.id, runId));
      return run && ["done", "failed", "stopped"].includes(run.status) ? run : false;
    }, 15_000);

  it("kills a running action's container and ends it stopped with who cancelled it; the pending ones never start", async () => {
    work({ concurrency: 1 });
    const runId = await newRun(3, ["echo started; sleep 30"]);
    const runningId = await runningStep(runId);

    const outcome = await cancelRun({ db: database.db, wakeups }, runId, "octocat");

    expect(outcome).toEqual({ skipped: 2, stopping: 1, alreadyFinished: 0 });
    const run = await finished(runId);
    expect(run).toMatchObject({ status: "stopped", cancelledBy: "octocat" });
    const all = await actionsOf(runId);
    const running = all.find((a) => a.id === runningId)!;
    expect(running).toMatchObject({ status: "stopped", reason: "cancelled by @octocat", claimedBy: null });
    expect(checkRunStatus(running)).toEqual({ status: "completed", conclusion: "cancelled" });
    expect((await stepsOf(runningId)).map((s) => s.status)).toEqual(["stopped"]);
    expect((await phasesOf(runningId)).at(-1)).toBe("completed");
    for (const pending of all.filter((a) => a.id !== runningId)) {
      expect(pending).toMatchObject({ status: "stopped", reason: "cancelled by @octocat before it started", startedAt: null, attempts: 0 });
      expect(checkRunStatus(pending)).toEqual({ status: "completed", conclusion: "skipped" });
      expect((await stepsOf(pending.id)).map((s) => s.status)).toEqual(["skipped"]);
      expect(await phasesOf(pending.id)).toEqual(["queued", "completed"]);
    }
    await waitFor("the container to be removed", async () => (await containersOfRun(runId)).length === 0, 10_000);
  });

  it("treats cancelling twice, or cancelling finished work, as nothing to do", async () => {
    work();
    const runId = await newRun(1, ["echo quick"]);
    const run = await finished(runId);
    expect(run.status).toBe("done");
    const [action] = await actionsOf(runId);
    const outboxBefore = await phasesOf(action!.id);

    expect(await cancelRun({ db: database.db, wakeups }, runId, "octocat")).toEqual({ skipped: 0, stopping: 0, alreadyFinished: 1 });
    expect(await cancelAction({ db: database.db, wakeups }, action!.id, "octocat")).toEqual({ skipped: 0, stopping: 0, alreadyFinished: 1 });
    expect(await cancelAction({ db: database.db, wakeups }, "00000000-0000-4000-8000-000000000000", "octocat")).toEqual({ skipped: 0, stopping: 0, alreadyFinished: 0 });

    const [after] = await actionsOf(runId);
    expect(after).toMatchObject({ status: "done", reason: action!.reason, cancelRequestedAt: null });
    const [runAfter] = await database.db.select().from(runs).where(eq(runs.id, runId));
    expect(runAfter).toMatchObject({ status: "done", cancelledBy: null });
    expect(await phasesOf(action!.id)).toEqual(outboxBefore);

    // Pending work cancelled twice: the second cancel finds it already stopped. No worker runs now.
    await worker!.stop();
    worker = null;
    const again = await newRun(2, ["echo never"]);
    expect(await cancelRun({ db: database.db, wakeups }, again, "octocat")).toEqual({ skipped: 2, stopping: 0, alreadyFinished: 0 });
    expect(await cancelRun({ db: database.db, wakeups }, again, "hubot")).toEqual({ skipped: 0, stopping: 0, alreadyFinished: 2 });
    const [againRun] = await database.db.select().from(runs).where(eq(runs.id, again));
    expect(againRun).toMatchObject({ status: "stopped", cancelledBy: "octocat" });
  });

  it("never claims an action of a cancelled run, nor one with a cancel waiting", async () => {
    const runId = await newRun(2, ["echo never"]);
    await cancelRun({ db: database.db, wakeups }, runId, "octocat");
    expect(await claimNextAction(database.db, "claimer", 60_000)).toBeNull();
    // Put one back to pending by hand, as a recovery racing the cancel could: the run's cancel still holds.
    const [first] = await actionsOf(runId);
    await database.db.update(actions).set({ status: "pending" }).where(eq(actions.id, first!.id));
    expect(await claimNextAction(database.db, "claimer", 60_000)).toBeNull();
    await database.db.update(actions).set({ status: "stopped" }).where(eq(actions.id, first!.id));
  });

  it("delivers a cancel made on another connection through LISTEN/NOTIFY, not the heartbeat", async () => {
    work();
    const runId = await newRun(1, ["echo started; sleep 30"]);
    const actionId = await runningStep(runId);
    let other: Database | null = null;
    let otherWakeups: Wakeups | null = null;
    try {
      other = await openDatabase({ databaseUrl: database.url, dataDir: tmpdir() });
      otherWakeups = await openWakeups(other, log);
      const outcome = await cancelAction({ db: other.db, wakeups: otherWakeups }, actionId, "hubot");
      expect(outcome).toEqual({ skipped: 0, stopping: 1, alreadyFinished: 0 });
      // The lease is 60 s, so its heartbeat (every 20 s) cannot be what stops it within this wait.
      const run = await finished(runId);
      expect(run.status).toBe("stopped");
      // One action cancelled is not the run cancelled.
      expect(run.cancelledBy).toBeNull();
      const [action] = await actionsOf(runId);
      expect(action).toMatchObject({ status: "stopped", reason: "cancelled by @hubot" });
      await waitFor("the container to be removed", async () => (await containersOfRun(runId)).length === 0, 10_000);
    } finally {
      await otherWakeups?.close?.();
      await other?.close();
    }
  });

  it("stops an action whose cancel arrives before its container has started, and leaves no container", async () => {
    const gated = gatedRuntime(runtime);
    work({ runtime: gated.runtime });
    const runId = await newRun(1, ["echo should-not-run"]);
    await gated.startRequested;
    const [action] = await actionsOf(runId);

    expect(await cancelAction({ db: database.db, wakeups }, action!.id, "octocat")).toEqual({ skipped: 0, stopping: 1, alreadyFinished: 0 });
    // The wake-up reaches the worker while the container is still being started.
    await new Promise((r) => setTimeout(r, 300));
    gated.open();

    const run = await finished(runId);
    expect(run.status).toBe("stopped");
    const [after] = await actionsOf(runId);
    expect(after).toMatchObject({ status: "stopped", reason: "cancelled by @octocat" });
    expect((await stepsOf(action!.id)).map((s) => s.status)).toEqual(["skipped"]);
    expect(await containersOfRun(runId)).toEqual([]);
  });

  it("stops an action whose image is still being pulled when its cancel arrives, without waiting for the pull", async () => {
    // A pull that never ends by itself, as a large image over a slow registry would take its time.
    const stream = new PassThrough();
    let pulling!: () => void;
    const pullStarted = new Promise<void>((resolve) => (pulling = resolve));
    const slowPull = new DockerRuntime(docker, {
      startPull: async () => {
        pulling();
        stream.write(`${JSON.stringify({ status: "Pulling from automations-test" })}\r\n`);
        return stream;
      },
    });
    work({ runtime: slowPull });
    const image = `automations-test:never-pulled-${randomUUID().slice(0, 8)}`;
    const runId = await createQueueRun(database.db, { deliveryId: `cancel-${++delivery}`, cloneUrl, targets: 1, steps: ["echo should-not-run"], image });
    wakeups.notify("actions");
    await pullStarted;
    const [action] = await actionsOf(runId);

    expect(await cancelAction({ db: database.db, wakeups }, action!.id, "octocat")).toEqual({ skipped: 0, stopping: 1, alreadyFinished: 0 });

    const run = await finished(runId);
    expect(run.status).toBe("stopped");
    expect((await actionsOf(runId))[0]).toMatchObject({ status: "stopped", reason: "cancelled by @octocat" });
    // The pull's request was closed, which the engine takes as the pull cancelled.
    expect(stream.destroyed).toBe(true);
    expect(await containersOfRun(runId)).toEqual([]);
  });

  it("stops an action whose checkout waits on a stalled git server when its cancel arrives", async () => {
    const release = git.hold();
    try {
      work();
      const before = git.requests.length;
      const runId = await newRun(1, ["echo should-not-run"]);
      await waitFor("the checkout to reach the git server", () => git.requests.length > before);
      const [action] = await actionsOf(runId);

      expect(await cancelAction({ db: database.db, wakeups }, action!.id, "octocat")).toEqual({ skipped: 0, stopping: 1, alreadyFinished: 0 });

      // Long before git's own limit on a stalled transfer (a minute).
      const run = await finished(runId);
      expect(run.status).toBe("stopped");
      expect((await actionsOf(runId))[0]).toMatchObject({ status: "stopped", reason: "cancelled by @octocat" });
      expect(await containersOfRun(runId)).toEqual([]);
      expect(await readdir(workspaceRoot)).toEqual([]);
    } finally {
      release();
    }
  });

  it("at shutdown, lets actions finish within the grace period, then kills the rest and hands them back", async () => {
    const w = work({ concurrency: 2, shutdownGraceMs: 4_000 });
    const quick = await newRun(1, ["sleep 0.5; echo quick"]);
    const slow = await newRun(1, ["echo started; sleep 30"]);
    await runningStep(quick);
    await runningStep(slow);
    await w.stop();
    worker = null;

    const [quickAction] = await actionsOf(quick);
    // Mid-step when the worker was told to stop, it finished within the grace period.
    expect(quickAction?.status).toBe("done");
    const [slowAction] = await actionsOf(slow);
    // A step had started, so it cannot be retried: it fails saying why.
    expect(slowAction?.status).toBe("failed");
    expect(slowAction?.reason).toContain("shut down");
    expect((await stepsOf(slowAction!.id)).map((s) => [s.status, s.reason])).toEqual([["failed", "the worker shut down"]]);
    expect(await containersOfRun(slow)).toEqual([]);
    expect(await docker.listContainers({ all: true, filters: { label: [`${ACTION_LABEL}=${slowAction!.id}`] } })).toEqual([]);
  });

  it("at shutdown, queues again an action whose container had not started a step", async () => {
    const gated = gatedRuntime(runtime);
    const w = work({ runtime: gated.runtime, shutdownGraceMs: 100 });
    const runId = await newRun(1, ["echo later"]);
    await gated.startRequested;
    const stopping = w.stop();
    worker = null;
    await new Promise((r) => setTimeout(r, 300));
    gated.open();
    await stopping;

    const [action] = await actionsOf(runId);
    expect(action).toMatchObject({ status: "pending", claimedBy: null, attempts: 1, startedAt: null });
    expect(await containersOfRun(runId)).toEqual([]);
    // It does not stay in the queue of this file's later tests.
    await cancelRun({ db: database.db, wakeups }, runId, "octocat");
  });
});
