import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq, sql } from "drizzle-orm";
import type { Db } from "../src/db/client.js";
import { actions, actionSteps } from "../src/runs/runs.sql.js";
import { DockerRuntime } from "../src/execution/docker/docker-runtime.js";
import { TEST_IMAGE } from "../test/helpers/docker.js";
import { startGitServer } from "../test/helpers/git-server.js";
import { actionOutcomes, createBenchRun, firstFailure, LEASE_MS, retriedActions, startExecution, waitForChecksSent, waitForRuns } from "./bench-run.js";
import type { BenchContext } from "./context.js";
import { countingChecks } from "./counting-checks.js";
import { docker, inParallel } from "./docker-cli.js";
import { ratioOf, type BenchmarkResult } from "./figures.js";
import { guardAgainstGitHub } from "./github-guard.js";
import { createBenchDatabase } from "./postgres-server.js";
import { childrenRunning, cpuBetween, processCpu, readProcesses, type ProcessCpu } from "./process-cpu.js";
import { elapsedMs, median } from "./stats.js";

// Dispatch overhead: what the app adds around a one-step action (claim, checkout, container, step,
// change detection, completion, check updates) compared with `docker run --rm <tiny image> true`,
// same parallelism. The app runs as configured in production, with its repository cache.

// BENCH_DISPATCH_ACTIONS: fewer actions, to try the path quickly; the figure is for 100.
const ACTIONS = Number(process.env.BENCH_DISPATCH_ACTIONS ?? 100);
const PARALLELISM = 4;
const TOKEN = "ghs_benchmarkInstallationToken000000000000";

const source = `container:
  image: ${TEST_IMAGE}
  network: none
steps:
  - name: Nothing
    run: "true"
`;

export async function run(context: BenchContext): Promise<BenchmarkResult> {
  const guard = guardAgainstGitHub();
  const database = await createBenchDatabase(context.databaseUrl);
  const git = await startGitServer({ token: TOKEN });
  const workspaceRoot = await mkdtemp(join(tmpdir(), "automations-bench-dispatch-"));
  const repositoryCacheDir = await mkdtemp(join(tmpdir(), "automations-bench-repository-cache-"));
  const checks = countingChecks();
  try {
    const repository = "bench/dispatch";
    const { cloneUrl, headSha } = await git.createRepo(repository, { "README.md": "a repository to clone\n" });

    context.progress(`warming up: ${PARALLELISM} × docker run --rm --network none ${TEST_IMAGE} true`);
    await inParallel(PARALLELISM, PARALLELISM, () => docker(["run", "--rm", "--network", "none", TEST_IMAGE, "true"]));

    context.progress(`baseline: ${ACTIONS} × docker run --rm --network none ${TEST_IMAGE} true, ${PARALLELISM} at a time`);
    const baselineCpu = await processCpu("self");
    const baselineStart = process.hrtime.bigint();
    await inParallel(ACTIONS, PARALLELISM, () => docker(["run", "--rm", "--network", "none", TEST_IMAGE, "true"]));
    const baselineMs = elapsedMs(baselineStart);
    const dockerCliMs = msPerAction(baselineCpu, await processCpu("self"), (cpu) => cpu.childrenMs);

    context.progress(`app: a run of ${ACTIONS} one-step actions, ${PARALLELISM} workers`);
    const targets = Array.from({ length: ACTIONS }, () => ({ repository, repositoryId: 1, cloneUrl, ref: headSha, project: null }));
    const appCpu = await processCpu("self");
    const postgresCpu = await readProcesses(await connectionPids(database.db));
    const appStart = Date.now();
    const runId = await createBenchRun(database.db, { source, repository, repositoryId: 1, headSha, targets });
    const execution = startExecution({
      db: database.db,
      runtime: new DockerRuntime(),
      tokens: { tokenFor: async () => TOKEN },
      checks,
      workspaceRoot,
      repositoryCacheDir,
      concurrency: PARALLELISM,
    });
    let appMs: number;
    let cpu: string;
    try {
      appMs = (await waitForRuns(database.db, [runId])).getTime() - appStart;
      await waitForChecksSent(database.db);
      cpu = await appCpuPerAction(database.db, appCpu, postgresCpu);
    } finally {
      await execution.stop();
    }
    const outcomes = await actionOutcomes(database.db, runId);
    const failure = await firstFailure(database.db, runId);
    const retried = await retriedActions(database.db, runId);
    const clones = git.requests.filter((r) => r.path.endsWith("/git-upload-pack")).length;
    const phases = await phaseMedians(database.db, runId);

    const perAction = { value: appMs / ACTIONS, baseline: baselineMs / ACTIONS };
    return {
      benchmark: "dispatch overhead",
      baseline: `docker run --rm --network none ${TEST_IMAGE} true`,
      notes: [
        `${ACTIONS} actions of one step (\`true\` in ${TEST_IMAGE}) on one repository in one run on PostgreSQL, ${PARALLELISM} at a time: claim; checkout through the repository cache (the first action fetches the commit from a local git smart-HTTP server, the others clone it from the cache on the host: ${clones} upload-pack requests in all), while the container starts; the step as the container's main process; the workspace compared with the cached commit while the container is removed; completion; check updates to a counting Checks API (${checks.creates + checks.updates} calls).`,
        `Wall time from recording the run to its last action finished, divided by ${ACTIONS}; the baseline is ${ACTIONS} × \`docker run --rm --network none ${TEST_IMAGE} true\` through the docker CLI, ${PARALLELISM} at a time, measured first.`,
        `Where an action's time goes, median over the actions from their stored timestamps: claim to step start (checkout, container start) ${phases.beforeStep} ms; the step (in the container) ${phases.step} ms; step end to completion (change detection, container removal, completion) ${phases.afterStep} ms.`,
        `CPU time per action, from /proc: ${cpu}; the baseline's docker CLI ${dockerCliMs} ms. The container engine's (dockerd, containerd, runc) serves both and is not in these figures.`,
        `Actions by outcome: ${JSON.stringify(outcomes)}${failure ? `; first failure: ${failure}` : ""}. Actions whose claim was lost and recovered after its ${LEASE_MS / 1000} s lease: ${retried}. Requests refused on their way to GitHub: ${guard.refused.length}.`,
      ],
      figures: [
        { name: "time per action", unit: "ms", ...perAction, ratio: ratioOf(perAction.value, perAction.baseline), goal: { on: "ratio", op: "<=", limit: 1.3 } },
        ...((outcomes.done ?? 0) !== ACTIONS
          ? [{ name: "actions not done", unit: "", value: ACTIONS - (outcomes.done ?? 0), goal: { on: "value" as const, op: "<=" as const, limit: 0 } }]
          : []),
      ],
    };
  } finally {
    guard.restore();
    await git.close();
    await database.destroy();
    await rm(workspaceRoot, { recursive: true, force: true });
    await rm(repositoryCacheDir, { recursive: true, force: true });
  }
}

/** Milliseconds per action between two readings; "–" when /proc cannot be read. */
function msPerAction(before: ProcessCpu | null, after: ProcessCpu | null, pick: (cpu: ProcessCpu) => number): string {
  return before && after ? ((pick(after) - pick(before)) / ACTIONS).toFixed(0) : "–";
}

/** The app's own CPU, the commands it started, and PostgreSQL's for the benchmark's database, per action. */
async function appCpuPerAction(db: Db, appBefore: ProcessCpu | null, postgresBefore: Map<number, ProcessCpu>): Promise<string> {
  const app = await processCpu("self");
  const launchers = await readProcesses(await childrenRunning(process.pid, "launcher-process"));
  const postgres = await readProcesses([...new Set([...postgresBefore.keys(), ...(await connectionPids(db))])]);
  const launched = cpuBetween(new Map(), launchers, (c) => c.childrenMs) / ACTIONS;
  const launcher = cpuBetween(new Map(), launchers, (c) => c.ownMs) / ACTIONS;
  return [
    `the app's process ${msPerAction(appBefore, app, (c) => c.ownMs)} ms (with the benchmark's own bookkeeping and the local git server)`,
    `the commands it started (git, chmod) ${launched.toFixed(0)} ms`,
    `its process launcher ${launcher.toFixed(0)} ms`,
    `the local git server's git processes ${msPerAction(appBefore, app, (c) => c.childrenMs)} ms`,
    `PostgreSQL's connections ${(cpuBetween(postgresBefore, postgres, (c) => c.ownMs) / ACTIONS).toFixed(0)} ms`,
  ].join(", ");
}

/** The server processes of the database's connections (PostgreSQL runs on this machine). */
async function connectionPids(db: Db): Promise<number[]> {
  const result = (await db.execute(sql`select pid from pg_stat_activity where datname = current_database()`)) as unknown as { rows: Array<{ pid: number }> };
  return result.rows.map((row) => Number(row.pid));
}

/** Median milliseconds of each part of an action, from the timestamps the app stores. */
async function phaseMedians(db: Db, runId: string): Promise<{ beforeStep: number; step: number; afterStep: number }> {
  const rows = await db
    .select({ claimed: actions.startedAt, finished: actions.finishedAt, stepStarted: actionSteps.startedAt, stepFinished: actionSteps.finishedAt })
    .from(actions)
    .innerJoin(actionSteps, eq(actionSteps.actionId, actions.id))
    .where(eq(actions.runId, runId));
  const ms = (from: Date | null, to: Date | null) => (from && to ? to.getTime() - from.getTime() : Number.NaN);
  const of = (pick: (row: (typeof rows)[number]) => number) => Math.round(median(rows.map(pick).filter((n) => !Number.isNaN(n))));
  return {
    beforeStep: of((r) => ms(r.claimed, r.stepStarted)),
    step: of((r) => ms(r.stepStarted, r.stepFinished)),
    afterStep: of((r) => ms(r.stepFinished, r.finished)),
  };
}
