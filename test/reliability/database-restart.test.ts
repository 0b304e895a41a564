import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asc, eq } from "drizzle-orm";
import Docker from "dockerode";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/client.js";
import { DockerRuntime } from "../../src/execution/docker/docker-runtime.js";
import { RUN_LABEL } from "../../src/execution/container-labels.js";
import { executeAction } from "../../src/execution/execute-action.js";
import { openWakeups } from "../../src/queue/open-wakeups.js";
import type { Wakeups } from "../../src/queue/wakeups.js";
import { startWorker, type Worker } from "../../src/queue/worker.js";
import { logChunks } from "../../src/execution/logs.sql.js";
import { actions, actionSteps, runs } from "../../src/runs/runs.sql.js";
import type { TestDatabase } from "../helpers/database.js";
import { openProxiedDatabase, type ProxiedDatabase } from "../helpers/proxied-database.js";
import { ensureTestImage, shouldSkipDockerTests } from "../helpers/docker.js";
import { startGitServer, type GitServer } from "../helpers/git-server.js";
import { createQueueRun, QUEUE_TOKEN, queueExecutionDeps } from "../helpers/queue-fixture.js";
import { waitFor } from "../helpers/wait-for.js";

// PostgreSQL restarted while a worker executes actions: the server ends every session of the
// app and takes no new ones for a while. The worker reaches the database through a proxy that
// plays the server's part; the test reads and writes directly.

const skip = await shouldSkipDockerTests();
const log = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
const docker = new Docker();

describe.skipIf(skip)("a database restart while actions run (PostgreSQL, Docker)", () => {
  let database: TestDatabase;
  let proxied: Database;
  let proxiedDatabase: ProxiedDatabase;
  let wakeups: Wakeups;
  let git: GitServer;
  let cloneUrl: string;
  let workspaceRoot: string;
  let worker: Worker | null = null;

  beforeAll(async () => {
    await ensureTestImage();
    proxiedDatabase = await openProxiedDatabase();
    ({ direct: database, proxied } = proxiedDatabase);
    wakeups = await openWakeups(proxied, log);
    git = await startGitServer({ token: QUEUE_TOKEN });
    ({ cloneUrl } = await git.createRepo("acme/app", { "README.md": "hello\n" }));
    workspaceRoot = await mkdtemp(join(tmpdir(), "automations-db-restart-"));
  });
  afterAll(async () => {
    await worker?.stop();
    await wakeups?.close?.();
    await proxiedDatabase?.close();
    await git?.close();
    if (workspaceRoot) await rm(workspaceRoot, { recursive: true, force: true });
  });

  /** As a restart does: every session of the app's database ends, and new ones are refused for `downMs`. */
  async function restartDatabase(downMs: number) {
    await proxiedDatabase.goDown();
    await new Promise((r) => setTimeout(r, downMs));
    proxiedDatabase.proxy.restore();
  }

  it("finishes every action once, with its output, and takes new work through LISTEN/NOTIFY again", async () => {
    worker = startWorker({
      db: proxied.db,
      wakeups,
      workerId: "db-restart-test",
      concurrency: 3,
      leaseMs: 20_000,
      // Polls rarely: new work after the restart must be found through the wake-up channel.
      pollMs: 60_000,
      shutdownGraceMs: 10_000,
      log,
      execute: (action, signal) => executeAction(queueExecutionDeps({ db: proxied.db, runtime: new DockerRuntime(), workspaceRoot, log }), action, signal),
    });
    const runId = await createQueueRun(proxied.db, {
      deliveryId: "db-restart-1",
      cloneUrl,
      targets: 6,
      steps: ["echo begin; sleep 2; echo end-of-step"],
    });
    wakeups.notify("actions");
    await waitFor("a step to be running", async () => {
      const rows = await database.db.select().from(actionSteps).where(eq(actionSteps.status, "running"));
      return rows.length > 0;
    });

    await restartDatabase(2_000);

    const finished = await waitFor("the run to finish", async () => {
      const [run] = await database.db.select().from(runs).where(eq(runs.id, runId));
      return run && ["done", "failed", "stopped"].includes(run.status) ? run : false;
    }, 90_000);
    const rows = await database.db.select().from(actions).where(eq(actions.runId, runId)).orderBy(asc(actions.position));
    const steps = await database.db
      .select({ status: actionSteps.status })
      .from(actionSteps)
      .innerJoin(actions, eq(actions.id, actionSteps.actionId))
      .where(eq(actions.runId, runId));
    const output = async (actionId: string) =>
      (await database.db.select().from(logChunks).where(eq(logChunks.actionId, actionId)).orderBy(asc(logChunks.id)))
        .filter((c) => c.stream === "stdout")
        .map((c) => c.content)
        .join("");
    const done = rows.filter((r) => r.status === "done").length;
    console.info(`database restarted mid-run: ${done} of ${rows.length} actions done, ${rows.length - done} failed or lost; run ${finished.status}`);
    expect(rows.map((r) => [r.status, r.reason])).toEqual(rows.map(() => ["done", "no changes"]));
    expect(finished.status).toBe("done");
    expect(steps.map((s) => s.status)).toEqual(rows.map(() => "done"));
    // Each step ran once, and its whole output was kept through the restart.
    for (const row of rows) expect(await output(row.id)).toBe("begin\nend-of-step\n");
    expect(await docker.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`] } })).toEqual([]);

    // A run recorded after the restart is found through LISTEN/NOTIFY, which reconnected, not the 60 s poll.
    const next = await createQueueRun(database.db, { deliveryId: "db-restart-2", cloneUrl, targets: 1, steps: ["echo after"] });
    const other = await openDatabase({ databaseUrl: database.url, dataDir: tmpdir(), log });
    const otherWakeups = await openWakeups(other, log);
    try {
      otherWakeups.notify("actions");
      await waitFor("the run recorded after the restart to finish", async () => {
        const [run] = await database.db.select().from(runs).where(eq(runs.id, next));
        return run?.status === "done";
      }, 20_000);
    } finally {
      await otherWakeups.close?.();
      await other.close();
    }
  }, 180_000);
});
