import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq, inArray } from "drizzle-orm";
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
import { createBenchDatabase, postgresConnectionPids } from "./postgres-server.js";
import { childrenMs, childrenRunning, cpuMeter, ownMs, processesNamed, readProcesses, type CpuCounters } from "./process-cpu.js";
import { elapsedMs, median } from "./stats.js";

// Dispatch overhead: what the app adds around a one-step action (claim, checkout, container, step,
// change detection, completion, check updates) compared with `docker run --rm <tiny image> true`,
// same parallelism. The app runs as configured in production, with its repository cache.

// BENCH_DISPATCH_ACTIONS: fewer actions, to try the path quickly; the figure is for 100.
const ACTIONS = Number(process.env.BENCH_DISPATCH_ACTIONS ?? 100);
const PARALLELISM = 4;
const ENGINE_DAEMONS = ["dockerd", "containerd"];
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

    // Baseline and app take turns, so a change in the machine's load meets both alike.
    const engine = await processesNamed(ENGINE_DAEMONS);
    let baselineMs = 0;
    let appMs = 0;
    const readCpu = () => cpuNow(database.db, engine);
    const baselineCpu = cpuMeter(CPU_PARTS, readCpu);
    const appCpu = cpuMeter(CPU_PARTS, readCpu);
    const runIds: string[] = [];
    for (const [round, count] of roundSizes().entries()) {
      context.progress(`round ${round + 1} of ${ROUNDS}, baseline: ${count} × docker run --rm --network none ${TEST_IMAGE} true, ${PARALLELISM} at a time`);
      const baselineMeasured = await baselineCpu.start();
      const baselineStart = process.hrtime.bigint();
      await inParallel(count, PARALLELISM, () => docker(["run", "--rm", "--network", "none", TEST_IMAGE, "true"]));
      baselineMs += elapsedMs(baselineStart);
      await baselineMeasured();

      context.progress(`round ${round + 1} of ${ROUNDS}, app: a run of ${count} one-step actions, ${PARALLELISM} workers`);
      const targets = Array.from({ length: count }, () => ({ repository, repositoryId: 1, cloneUrl, ref: headSha, project: null }));
      const appMeasured = await appCpu.start();
      const appStart = Date.now();
      const runId = await createBenchRun(database.db, { source, repository, repositoryId: 1, headSha, targets });
      runIds.push(runId);
      const execution = startExecution({
        db: database.db,
        runtime: new DockerRuntime(),
        tokens: { tokenFor: async () => TOKEN },
        checks,
        workspaceRoot,
        repositoryCacheDir,
        concurrency: PARALLELISM,
      });
      try {
        appMs += (await waitForRuns(database.db, [runId])).getTime() - appStart;
        await waitForChecksSent(database.db);
        await appMeasured();
      } finally {
        await execution.stop();
      }
    }
    const outcomes = await actionOutcomes(database.db, runIds);
    const failure = await firstFailure(database.db, runIds);
    const retried = await retriedActions(database.db, runIds);
    const clones = git.requests.filter((r) => r.path.endsWith("/git-upload-pack")).length;
    const phases = await phaseMedians(database.db, runIds);

    const perAction = { value: appMs / ACTIONS, baseline: baselineMs / ACTIONS };
    return {
      benchmark: "dispatch overhead",
      baseline: `docker run --rm --network none ${TEST_IMAGE} true`,
      notes: [
        `${ACTIONS} actions of one step (\`true\` in ${TEST_IMAGE}) on one repository in ${ROUNDS} runs on PostgreSQL, ${PARALLELISM} at a time: claim; checkout through the repository cache (the first action fetches the commit from a local git smart-HTTP server, the others copy its pack from the cache on the host and check it out: ${clones} upload-pack requests in all), while the container starts; the step as the container's main process; the workspace compared with the index of its checkout while the container is removed; completion; check updates to a counting Checks API (${checks.creates + checks.updates} calls).`,
        `Wall time from recording each run to its last action finished, summed and divided by ${ACTIONS}; the baseline is ${ACTIONS} × \`docker run --rm --network none ${TEST_IMAGE} true\` through the docker CLI, ${PARALLELISM} at a time. ${ROUNDS} rounds, each a baseline then a run of the app, over ${roundSizes().join(" and ")} actions.`,
        `Where an action's time goes, median over the actions from their stored timestamps: claim to step start (checkout, container start) ${phases.beforeStep} ms; the step (in the container) ${phases.step} ms; step end to completion (change detection, container removal, completion) ${phases.afterStep} ms.`,
        `CPU time per action, from /proc: ${describeCpu(appCpu.totals, baselineCpu.totals)}.`,
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

const ROUNDS = 4;

/** How many actions each round takes: ACTIONS split as evenly as it goes. */
function roundSizes(): number[] {
  return Array.from({ length: ROUNDS }, (_, i) => Math.floor(ACTIONS / ROUNDS) + (i < ACTIONS % ROUNDS ? 1 : 0)).filter((n) => n > 0);
}

/**
 * Who spends CPU: this process (the app, the benchmark's own bookkeeping, the local git server);
 * its children that ended (the docker CLI, the local git server's git); the app's process
 * launcher and the commands it started (git, chmod); PostgreSQL's connections to the benchmark's
 * database; the container engine's daemons (dockerd, containerd).
 */
const CPU_PARTS = ["app", "ended", "launcher", "launched", "postgres", "engine"] as const;
type CpuParts = Record<(typeof CPU_PARTS)[number], number>;

async function cpuNow(db: Db, engine: number[]): Promise<CpuCounters<(typeof CPU_PARTS)[number]>> {
  const self = await readProcesses([process.pid]);
  const launchers = await readProcesses(await childrenRunning(process.pid, "launcher-process"));
  return {
    app: ownMs(self),
    ended: childrenMs(self),
    launcher: ownMs(launchers),
    launched: childrenMs(launchers),
    postgres: ownMs(await readProcesses(await postgresConnectionPids(db))),
    engine: ownMs(await readProcesses(engine)),
  };
}

function describeCpu(app: CpuParts, baseline: CpuParts): string {
  const ms = (value: number) => `${(value / ACTIONS).toFixed(0)} ms`;
  const appTotal = app.app + app.ended + app.launcher + app.launched + app.postgres + app.engine;
  const baselineTotal = baseline.ended + baseline.engine;
  return [
    `the app ${ms(appTotal)}: its process ${ms(app.app)} (with the benchmark's own bookkeeping), the commands it started (git, chmod) ${ms(app.launched)}, its process launcher ${ms(app.launcher)}, PostgreSQL's connections ${ms(app.postgres)}, the local git server ${ms(app.ended)}, the engine's daemons (dockerd, containerd) ${ms(app.engine)}`,
    `the baseline ${ms(baselineTotal)}: the docker CLI ${ms(baseline.ended)}, the engine's daemons ${ms(baseline.engine)}`,
    "each container's shim and runc, alike for both, are not counted",
  ].join("; ");
}

/** Median milliseconds of each part of an action, from the timestamps the app stores. */
async function phaseMedians(db: Db, runIds: string[]): Promise<{ beforeStep: number; step: number; afterStep: number }> {
  const rows = await db
    .select({ claimed: actions.startedAt, finished: actions.finishedAt, stepStarted: actionSteps.startedAt, stepFinished: actionSteps.finishedAt })
    .from(actions)
    .innerJoin(actionSteps, eq(actionSteps.actionId, actions.id))
    .where(inArray(actions.runId, runIds));
  const ms = (from: Date | null, to: Date | null) => (from && to ? to.getTime() - from.getTime() : Number.NaN);
  const of = (pick: (row: (typeof rows)[number]) => number) => Math.round(median(rows.map(pick).filter((n) => !Number.isNaN(n))));
  return {
    beforeStep: of((r) => ms(r.claimed, r.stepStarted)),
    step: of((r) => ms(r.stepStarted, r.stepFinished)),
    afterStep: of((r) => ms(r.stepFinished, r.finished)),
  };
}
