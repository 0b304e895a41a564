import { tmpdir } from "node:os";
import pino from "pino";
import { openDatabase } from "../../src/db/client.js";
import { DockerRuntime } from "../../src/execution/docker/docker-runtime.js";
import { executeAction } from "../../src/execution/execute-action.js";
import { clearLeftWorkspaces } from "../../src/execution/sweep-workspaces.js";
import { openWakeups } from "../../src/queue/open-wakeups.js";
import { recoverLostActions } from "../../src/queue/recover-lost-actions.js";
import { startWorker } from "../../src/queue/worker.js";
import { cancelAction, cancelRun } from "../../src/runs/cancel.js";
import { queueExecutionDeps } from "./queue-fixture.js";

// A worker process as a replica runs it: its own connections, LISTEN/NOTIFY wake-ups, the real
// execution in Docker and recovery. Started by ./worker-process.ts; talks back over IPC.

export type WorkerRequest = { type: "cancelRun"; runId: string; by: string } | { type: "cancelAction"; actionId: string; by: string };
export type WorkerReply = { type: "ready" } | { type: "cancelled"; outcome: unknown } | { type: "error"; message: string };

const env = process.env;
const number = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);
const send = (reply: WorkerReply) => process.send?.(reply);

const log = pino({ level: env.WORKER_LOG_LEVEL ?? "warn" }, pino.destination(2));
if (!env.DATABASE_URL) throw new Error("worker-entry: DATABASE_URL must name the test database");
const database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: tmpdir() });
const wakeups = await openWakeups(database, log);
const runtime = new DockerRuntime();
const leaseMs = number("LEASE_MS", 2_000);
const workerId = env.WORKER_ID ?? `test-worker:${process.pid}`;
const workspaceRoot = env.WORKSPACE_ROOT ?? tmpdir();

const worker = startWorker({
  db: database.db,
  wakeups,
  workerId,
  concurrency: number("WORKER_CONCURRENCY", 4),
  limits: { perInstallation: number("INSTALLATION_CONCURRENCY", 0) },
  leaseMs,
  pollMs: number("POLL_MS", 1_000),
  shutdownGraceMs: number("SHUTDOWN_GRACE_MS", 30_000),
  log,
  recover: async () => {
    const recovered = await recoverLostActions(database.db, runtime, log);
    if (recovered.retried.length > 0) wakeups.notify("actions");
  },
  recoverEveryMs: Math.max(250, Math.floor(leaseMs / 2)),
  // Only a root of the test's own is swept: the shared temporary directory is not this worker's.
  prepare: env.WORKSPACE_ROOT ? () => clearLeftWorkspaces(database.db, workspaceRoot, log) : undefined,
  execute: (action, signal) =>
    executeAction(queueExecutionDeps({ db: database.db, runtime, workspaceRoot, log }), action, signal),
});

process.on("message", (request: WorkerRequest) => {
  const deps = { db: database.db, wakeups };
  const cancelling = request.type === "cancelRun" ? cancelRun(deps, request.runId, request.by) : cancelAction(deps, request.actionId, request.by);
  cancelling.then(
    (outcome) => send({ type: "cancelled", outcome }),
    (err: unknown) => send({ type: "error", message: String(err) }),
  );
});

process.on("SIGTERM", () => {
  void (async () => {
    await worker.stop();
    await wakeups.close?.();
    await database.close();
    process.exit(0);
  })();
});

send({ type: "ready" });
