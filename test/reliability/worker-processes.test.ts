import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { and, eq, inArray, sql } from "drizzle-orm";
import Docker from "dockerode";
import { createPostgresDatabase, type TestDatabase } from "../helpers/database.js";
import { ensureTestImage, shouldSkipDockerTests } from "../helpers/docker.js";
import { startGitServer, type GitServer } from "../helpers/git-server.js";
import { createQueueRun, QUEUE_TOKEN } from "../helpers/queue-fixture.js";
import { startWorkerProcess, workerBundle, type WorkerProcess } from "../helpers/worker-process.js";
import { waitFor } from "../helpers/wait-for.js";
import { RUN_LABEL } from "../../src/execution/container-labels.js";
import { actions, actionSteps, runs } from "../../src/runs/runs.sql.js";
import { Octokit } from "@octokit/rest";
import nock from "nock";
import pino from "pino";
import { GITHUB_API, isolateGitHub, recordEveryCheckCreate, restoreNetwork } from "../helpers/github-api.js";
import { octokitChecks } from "../../src/github-app/octokit-checks.js";
import type { InstallationOctokit } from "../../src/github-app/installation-octokit.js";
import { startReporter } from "../../src/reporting/reporter.js";
import { inProcessWakeups } from "../../src/queue/wakeups.js";

// Replicas as separate processes against one PostgreSQL, executing real containers: claims,
// wake-ups and cancels across processes, and workers killed with SIGKILL mid-flight.

const skip = await shouldSkipDockerTests();
const docker = new Docker();
const MARK = "executed-once-marker";
// The repository every run's checks are put on (the run's, as in src/reporting/load-action-view.ts).
const REPOSITORY = "acme/app";

type CheckBody = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Every check run created on `repository` and every update of it, in the order GitHub receives
 * them; each create is answered with `checkRunId`, and each body names its action (external_id).
 */
function recordCheckStates(repository: string, checkRunId: number) {
  const updated: CheckBody[] = [];
  // Registered before the helper's own interceptor for updates, so this one sees them.
  nock(GITHUB_API)
    .patch(`/repos/${repository}/check-runs/${checkRunId}`, (body: CheckBody) => {
      updated.push(body);
      return true;
    })
    .optionally()
    .reply(200, { id: checkRunId })
    .persist();
  const created = recordEveryCheckCreate(repository, checkRunId);
  return {
    /** What GitHub last heard of the action's check; undefined when it was never created. */
    last(actionId: string): CheckBody | undefined {
      const of = (bodies: CheckBody[]) => bodies.filter((b) => b.external_id === actionId).at(-1);
      return of(updated) ?? of(created);
    },
    creates: (actionId: string) => created.filter((b) => b.external_id === actionId).length,
  };
}

/** Completed with a conclusion: nothing on the commit still shows it as queued or running. */
const isFinal = (check: CheckBody | undefined) => check?.status === "completed" && typeof check.conclusion === "string";

/** Polls `condition` until it holds or `timeoutMs` pass; says which. */
async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

describe.skipIf(skip)("worker processes sharing one database (PostgreSQL, Docker)", () => {
  let database: TestDatabase;
  let git: GitServer;
  let cloneUrl: string;
  let workspaceRoot: string;
  const processes = new Set<WorkerProcess>();
  let delivery = 0;

  beforeAll(async () => {
    await Promise.all([ensureTestImage(), workerBundle()]);
    database = await createPostgresDatabase();
    git = await startGitServer({ token: QUEUE_TOKEN });
    ({ cloneUrl } = await git.createRepo("acme/app", { "README.md": "hello\n" }));
    workspaceRoot = await mkdtemp(join(tmpdir(), "automations-replicas-"));
  });
  afterEach(async () => {
    await Promise.all([...processes].map(stopProcess));
  });
  afterAll(async () => {
    await database?.destroy();
    await git?.close();
    if (workspaceRoot) await rm(workspaceRoot, { recursive: true, force: true });
  });

  async function spawnWorker(workerId: string, env: Record<string, string> = {}) {
    const worker = await startWorkerProcess({
      DATABASE_URL: database.url!,
      WORKER_ID: workerId,
      WORKSPACE_ROOT: workspaceRoot,
      LEASE_MS: "3000",
      POLL_MS: "1000",
      ...env,
    });
    processes.add(worker);
    void worker.exited.then(() => processes.delete(worker));
    return worker;
  }

  async function stopProcess(worker: WorkerProcess) {
    if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
    worker.child.kill("SIGTERM");
    const timer = setTimeout(() => worker.child.kill("SIGKILL"), 15_000);
    await worker.exited;
    clearTimeout(timer);
  }

  const newRun = (targets: number, steps: string[], extra: { installationId?: number; concurrency?: number } = {}) =>
    createQueueRun(database.db, { deliveryId: `replicas-${++delivery}`, cloneUrl, targets, steps, ...extra });

  const statusesOf = async (runId: string) => {
    const rows = await database.db
      .select({ status: actions.status, count: sql<number>`count(*)::int` })
      .from(actions)
      .where(eq(actions.runId, runId))
      .groupBy(actions.status);
    return Object.fromEntries(rows.map((r) => [r.status, r.count]));
  };
  const allFinished = (runId: string, timeoutMs: number) =>
    waitFor(`every action of run ${runId} to finish`, async () => {
      const s = await statusesOf(runId);
      return (s.pending ?? 0) + (s.running ?? 0) === 0 ? s : false;
    }, timeoutMs);

  /** How many times each action's first step printed the marker, from the stored logs. */
  const executionsOf = async (runId: string) => {
    const rows = await database.db
      .select({
        id: actions.id,
        status: actions.status,
        reason: actions.reason,
        attempts: actions.attempts,
        // Qualified by hand: the builder leaves single-table columns unqualified, which the subquery would capture.
        marks: sql<number>`coalesce((select sum((length(l.content) - length(replace(l.content, ${MARK}, ''))) / ${MARK.length}) from log_chunks l where l.action_id = "actions"."id"), 0)::int`,
      })
      .from(actions)
      .where(eq(actions.runId, runId));
    return rows;
  };
  const containersOf = (runId: string) => docker.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`] } });

  it("two processes execute 200 short actions, each exactly once", async () => {
    const runId = await newRun(200, [`echo ${MARK}`]);
    // Leases as long as a slow machine needs: this test is about claims, not about recovery.
    const env = { WORKER_CONCURRENCY: "6", LEASE_MS: "15000" };
    await Promise.all([spawnWorker("replica-a", env), spawnWorker("replica-b", env)]);

    // Bounded generously: on a busy machine containers start slowly; on an idle one this takes seconds.
    await allFinished(runId, 540_000);
    const executions = await executionsOf(runId);
    const once = executions.filter((e) => e.status === "done" && e.marks === 1 && e.attempts === 1).length;
    console.info(`two worker processes, ${executions.length} actions: ${once} executed exactly once, ${executions.length - once} not`);
    expect(executions.filter((e) => e.status !== "done").map((e) => `${e.status}: ${e.reason}`)).toEqual([]);
    expect(executions.filter((e) => e.marks !== 1 || e.attempts !== 1)).toEqual([]);
    const [run] = await database.db.select().from(runs).where(eq(runs.id, runId));
    expect(run?.status).toBe("done");
    expect(await containersOf(runId)).toEqual([]);
  }, 600_000);

  it("loses, duplicates and leaves in progress nothing while workers are killed with SIGKILL twenty times", async () => {
    // GitHub's Checks API as the reporter sees it: a replica that is not killed keeps the checks
    // in step with the database, so what GitHub last heard of each action's check is recorded.
    isolateGitHub();
    const checks = recordCheckStates(REPOSITORY, 9001);
    const reporter = startReporter({
      db: database.db,
      checks: octokitChecks(async () => new Octokit({ auth: "ghs_reliabilityReporterToken" }) as unknown as InstallationOctokit, { requestTimeoutMs: 5_000 }),
      wakeups: inProcessWakeups(),
      log: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
      pollMs: 200,
      baseBackoffMs: 20,
      maxBackoffMs: 500,
    });
    try {
      const steps = [`echo ${MARK}; sleep 0.3`, "sleep 0.1"];
      const runIds = [await newRun(10, steps)];
      const pendingCount = async () => {
        const [row] = await database.db
          .select({ n: sql<number>`count(*)::int` })
          .from(actions)
          .where(and(inArray(actions.runId, runIds), eq(actions.status, "pending")));
        return row?.n ?? 0;
      };
      // A survivor keeps recovering what the killed ones leave behind.
      const survivor = await spawnWorker("survivor", { WORKER_CONCURRENCY: "1" });
      await survivor.ready;
      // Keep work waiting, so every victim has something to die with.
      const topUp = async () => {
        if ((await pendingCount()) < 4) runIds.push(await newRun(6, steps));
      };
      const victimNamed = (workerId: string) => spawnWorker(workerId, { WORKER_CONCURRENCY: "2" });
      await topUp();
      let next = victimNamed("victim-0");
      let kills = 0;
      for (let kill = 0; kill < 20; kill++) {
        const workerId = `victim-${kill}`;
        const victim = await next;
        await waitFor(`${workerId} to claim an action`, async () => {
          const [held] = await database.db.select({ id: actions.id }).from(actions).where(and(eq(actions.claimedBy, workerId), eq(actions.status, "running"))).limit(1);
          return held !== undefined;
        }, 30_000);
        // The next victim starts up while this one works: a process's start-up, not the kills,
        // would otherwise set the pace of the loop.
        await topUp();
        if (kill < 19) next = victimNamed(`victim-${kill + 1}`);
        // Kill at varied points: during the clone, the container's start, or a step.
        await new Promise((r) => setTimeout(r, (kill % 4) * 150));
        victim.child.kill("SIGKILL");
        await victim.exited;
        kills++;
      }
      expect(kills).toBe(20);
      await spawnWorker("finisher", { WORKER_CONCURRENCY: "4" });

      const executions: Awaited<ReturnType<typeof executionsOf>> = [];
      for (const runId of runIds) {
        await allFinished(runId, 120_000);
        executions.push(...(await executionsOf(runId)));
      }
      // Lost: left unfinished, stopped, finished without its output, or failed for another reason
      // than its worker. Duplicated: the marker printed twice.
      const lost = executions.filter(
        (e) =>
          e.status === "pending" ||
          e.status === "running" ||
          e.status === "stopped" ||
          (e.status === "done" && e.marks !== 1) ||
          (e.status === "failed" && !e.reason?.startsWith("worker lost")),
      );
      const duplicated = executions.filter((e) => e.marks > 1);
      // Bounded waits that count what is left rather than throw, so the figures are printed either way.
      const checksInProgress = () => executions.filter((e) => !isFinal(checks.last(e.id)));
      await waitUntil(() => checksInProgress().length === 0, 60_000);
      const orphans = async () => (await Promise.all(runIds.map(containersOf))).flat();
      await waitUntil(async () => (await orphans()).length === 0, 20_000);
      const [inProgress, leftContainers] = [checksInProgress(), await orphans()];
      // What the killed workers left in the shared workspace root goes when a worker next starts.
      await spawnWorker("next-start", { WORKER_CONCURRENCY: "1" });
      const leftWorkspaces = async () => (await readdir(workspaceRoot)).filter((name) => /^[0-9a-f]{8}-/.test(name));
      await waitUntil(async () => (await leftWorkspaces()).length === 0, 20_000);
      const workspacesLeft = await leftWorkspaces();
      console.info(
        `kill -9 of a worker mid-run ×${kills} (${executions.length} actions): ${lost.length} lost, ${duplicated.length} duplicated, ` +
          `${inProgress.length} checks left in progress, ${leftContainers.length} orphan containers, ` +
          `${workspacesLeft.length} workspaces left once a worker started again`,
      );

      expect(lost.map((e) => `${e.status} (${e.marks} runs): ${e.reason}`)).toEqual([]);
      expect(duplicated.map((e) => `${e.status} (${e.marks} runs): ${e.reason}`)).toEqual([]);
      expect(executions.filter((e) => e.status === "done").length).toBeGreaterThan(0);
      expect(inProgress.map((e) => ({ status: e.status, check: checks.last(e.id) ?? "never created" }))).toEqual([]);
      expect(leftContainers.map((c) => c.Names)).toEqual([]);
      expect(workspacesLeft).toEqual([]);
      // One check per action: a second create would be a duplicate check on the commit.
      expect(executions.filter((e) => checks.creates(e.id) !== 1)).toEqual([]);
    } finally {
      await reporter.stop();
      restoreNetwork();
    }
  }, 300_000);

  it("cancels from another process: running containers go at once, pending actions never start", async () => {
    const executor = await spawnWorker("executor", { WORKER_CONCURRENCY: "2", LEASE_MS: "60000" });
    const canceller = await spawnWorker("canceller", { WORKER_CONCURRENCY: "0" });
    await Promise.all([executor.ready, canceller.ready]);
    const runId = await newRun(3, ["echo started; sleep 30"]);
    await waitFor("two actions to be running a step", async () => {
      const rows = await database.db
        .select({ id: actionSteps.actionId })
        .from(actionSteps)
        .innerJoin(actions, eq(actions.id, actionSteps.actionId))
        .where(and(eq(actions.runId, runId), eq(actionSteps.status, "running")));
      return rows.length === 2;
    });

    const outcome = await canceller.request({ type: "cancelRun", runId, by: "octocat" });

    expect(outcome).toEqual({ skipped: 1, stopping: 2, alreadyFinished: 0 });
    // The executor's lease is 60 s: only the NOTIFY from the other process can stop these in time.
    expect(await allFinished(runId, 10_000)).toEqual({ stopped: 3 });
    const rows = await database.db.select().from(actions).where(eq(actions.runId, runId));
    expect(rows.filter((a) => a.startedAt !== null).map((a) => a.reason)).toEqual(["cancelled by @octocat", "cancelled by @octocat"]);
    expect(rows.filter((a) => a.startedAt === null).map((a) => a.reason)).toEqual(["cancelled by @octocat before it started"]);
    await waitFor("the containers to be removed", async () => (await containersOf(runId)).length === 0, 10_000);
  }, 120_000);

  it("holds per-run and per-installation limits across processes", async () => {
    const limitedRun = await newRun(6, ["sleep 0.3"], { installationId: 77, concurrency: 2 });
    const sameInstallation = await newRun(6, ["sleep 0.3"], { installationId: 77 });
    // Sample what is running from the database until both runs are done.
    let maxRun = 0;
    let maxInstallation = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const rows = await database.db
          .select({ runId: actions.runId, count: sql<number>`count(*)::int` })
          .from(actions)
          .where(and(inArray(actions.runId, [limitedRun, sameInstallation]), eq(actions.status, "running")))
          .groupBy(actions.runId);
        const inRun = rows.find((r) => r.runId === limitedRun)?.count ?? 0;
        maxRun = Math.max(maxRun, inRun);
        maxInstallation = Math.max(maxInstallation, rows.reduce((n, r) => n + r.count, 0));
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await Promise.all([
      spawnWorker("limited-a", { WORKER_CONCURRENCY: "3", INSTALLATION_CONCURRENCY: "3" }),
      spawnWorker("limited-b", { WORKER_CONCURRENCY: "3", INSTALLATION_CONCURRENCY: "3" }),
    ]);
    await allFinished(limitedRun, 60_000);
    await allFinished(sameInstallation, 60_000);
    sampling = false;
    await sampler;

    expect(await statusesOf(limitedRun)).toEqual({ done: 6 });
    expect(await statusesOf(sameInstallation)).toEqual({ done: 6 });
    expect(maxRun).toBeLessThanOrEqual(2);
    expect(maxInstallation).toBeLessThanOrEqual(3);
    expect(maxInstallation).toBeGreaterThan(0);
  }, 120_000);
});
