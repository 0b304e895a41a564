import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { and, eq, sql } from "drizzle-orm";
import { DockerRuntime } from "../src/execution/docker/docker-runtime.js";
import { logChunks } from "../src/execution/logs.sql.js";
import { actions, actionSteps } from "../src/runs/runs.sql.js";
import { TEST_IMAGE } from "../test/helpers/docker.js";
import { startGitServer } from "../test/helpers/git-server.js";
import { actionOutcomes, createBenchRun, firstFailure, startExecution, waitForRuns } from "./bench-run.js";
import type { BenchContext } from "./context.js";
import { countingChecks } from "./counting-checks.js";
import { docker } from "./docker-cli.js";
import { ratioOf, type BenchmarkResult } from "./figures.js";
import { guardAgainstGitHub } from "./github-guard.js";
import { memoryParts, settledRss, watchPeakMemory, type MemoryParts } from "./memory.js";
import { createBenchDatabase } from "./postgres-server.js";
import { elapsedMs } from "./stats.js";

// Log ingestion: one action whose step prints 200 MB. The app must store it all without holding
// it in memory (RSS growth), and how fast, against the same output drained to /dev/null.

const BYTES = 200_000_000;
const MB = 1_000_000;
const TOKEN = "ghs_benchmarkInstallationToken000000000000";
const command = `yes "automations log ingestion benchmark: a line of output 0123456789" | head -c ${BYTES}`;

const source = `container:
  image: ${TEST_IMAGE}
  network: none
steps:
  - name: Print
    run: '${command}'
`;

export async function run(context: BenchContext): Promise<BenchmarkResult> {
  const guard = guardAgainstGitHub();
  const database = await createBenchDatabase(context.databaseUrl);
  const { db } = database;
  const git = await startGitServer({ token: TOKEN });
  const workspaceRoot = await mkdtemp(join(tmpdir(), "automations-bench-logs-"));
  const container = `automations-bench-logs-${process.pid}`;
  try {
    context.progress(`baseline: docker exec of the same command in a running ${TEST_IMAGE} container, drained to /dev/null`);
    await docker(["run", "-d", "--rm", "--name", container, "--network", "none", TEST_IMAGE, "sleep", "600"]);
    const baselineStart = process.hrtime.bigint();
    await docker(["exec", container, "sh", "-c", command]);
    const baselineMs = elapsedMs(baselineStart);
    await docker(["rm", "-f", container]);

    context.progress(`app: one action printing ${BYTES / MB} MB`);
    const repository = "bench/logs";
    const { cloneUrl, headSha } = await git.createRepo(repository, { "README.md": "a repository to clone\n" });
    const runId = await createBenchRun(db, {
      source,
      repository,
      repositoryId: 1,
      headSha,
      targets: [{ repository, repositoryId: 1, cloneUrl, ref: headSha, project: null }],
    });
    const before = settledRss();
    const partsBefore = memoryParts();
    const peak = watchPeakMemory();
    const execution = startExecution({
      db,
      runtime: new DockerRuntime(),
      tokens: { tokenFor: async () => TOKEN },
      checks: countingChecks(),
      workspaceRoot,
      concurrency: 1,
    });
    try {
      await waitForRuns(db, [runId], 120_000);
    } finally {
      await execution.stop();
    }
    const peakRss = peak.stop();
    const after = settledRss();

    const [timing] = await db
      .select({ seconds: sql<number>`extract(epoch from ${actions.finishedAt} - ${actionSteps.startedAt})::float8` })
      .from(actionSteps)
      .innerJoin(actions, eq(actions.id, actionSteps.actionId))
      .where(and(eq(actions.runId, runId), eq(actionSteps.index, 0)));
    const [stored] = await db
      .select({ bytes: sql<number>`coalesce(sum(octet_length(${logChunks.content})), 0)::float8`, chunks: sql<number>`count(*)::int` })
      .from(logChunks)
      .innerJoin(actions, eq(actions.id, logChunks.actionId))
      .where(and(eq(actions.runId, runId), eq(logChunks.stepIndex, 0)));
    const outcomes = await actionOutcomes(db, runId);
    const failure = await firstFailure(db, runId);
    const appSeconds = timing?.seconds ?? Number.NaN;
    const storedBytes = stored?.bytes ?? 0;
    const growthMb = (peakRss - before) / MB;
    const throughput = { value: BYTES / MB / appSeconds, baseline: BYTES / MB / (baselineMs / 1000) };

    return {
      benchmark: "log ingestion",
      baseline: "docker exec of the same command, drained to /dev/null",
      notes: [
        `One action on PostgreSQL whose step runs \`yes … | head -c ${BYTES}\` in ${TEST_IMAGE}; the app streams it through docker exec and the secret masker (the definition names no secret, so it passes the text on) and stores it in log chunks: ${(storedBytes / MB).toFixed(1)} MB stored in ${stored?.chunks ?? 0} chunks. Outcome: ${JSON.stringify(outcomes)}${failure ? ` (${failure})` : ""}.`,
        `RSS growth: peak during the action minus RSS before it (after a GC), by ${peak.method}: ${(before / MB).toFixed(0)} MB before, ${(peakRss / MB).toFixed(0)} MB at the peak, ${(after / MB).toFixed(0)} MB after. ${partsGrowth(partsBefore, peak.parts())}`,
        `Throughput: ${BYTES / MB} MB over the time from the step's start to the action's end as recorded (${appSeconds.toFixed(1)} s, the last log chunks and the container's removal included), against \`docker exec\` of the same command through the docker CLI with its output to /dev/null (${(baselineMs / 1000).toFixed(1)} s).`,
        `Requests refused on their way to GitHub: ${guard.refused.length}.`,
      ],
      figures: [
        { name: "RSS growth", unit: "MB", value: growthMb, goal: { on: "value", op: "<", limit: 100 } },
        { name: "throughput", unit: "MB/s", ...throughput, ratio: ratioOf(throughput.value, throughput.baseline) },
        ...(Math.abs(storedBytes - BYTES) > 1_000 || (outcomes.done ?? 0) !== 1
          ? [{ name: "bytes lost", unit: "MB", value: (BYTES - storedBytes) / MB, goal: { on: "value" as const, op: "<=" as const, limit: 0 } }]
          : []),
      ],
    };
  } finally {
    guard.restore();
    await docker(["rm", "-f", container]).catch(() => {});
    await git.close();
    await database.destroy();
    await rm(workspaceRoot, { recursive: true, force: true });
  }
}

/** How far each part of the memory rose above where it was before the action, from the samples. */
function partsGrowth(before: MemoryParts, highest: MemoryParts): string {
  const mb = (key: keyof MemoryParts) => `${((highest[key] - before[key]) / MB).toFixed(0)} MB`;
  return `Highest rise of each part (sampled every 20 ms): JavaScript heap reserved ${mb("heapTotal")}, used ${mb("heapUsed")}; Buffers and other memory outside the heap ${mb("external")}.`;
}
