import { writeAccessChecker } from "../src/commands/authorize.js";
import type { ClaimedAction } from "../src/queue/claim-action.js";
import { startWorker } from "../src/queue/worker.js";
import { inProcessWakeups } from "../src/queue/wakeups.js";
import { startReporter } from "../src/reporting/reporter.js";
import { gitHubTargets } from "../src/targets/github-targets.js";
import { resolveTargets } from "../src/targets/resolve-targets.js";
import { toSkippedTarget, type CandidateRepository } from "../src/targets/target.js";
import { createRun } from "../src/runs/create-run.js";
import { finishAction, finishStep, startStep } from "../src/runs/transitions.js";
import { actionOutcomes, benchDefinition, benchLog, firstFailure, INSTALLATION_ID, LEASE_MS, recoverLost, retriedActions, waitForChecksSent, waitForRuns } from "./bench-run.js";
import type { ContainerRuntime } from "../src/execution/container-runtime.js";
import type { BenchContext } from "./context.js";
import { countingChecks } from "./counting-checks.js";
import type { BenchmarkResult } from "./figures.js";
import { guardAgainstGitHub } from "./github-guard.js";
import { mockInstallation, type MockRepository } from "./mock-installation.js";
import { createBenchDatabase } from "./postgres-server.js";
import { elapsedMs } from "./stats.js";

// Fan-out: a run over 1,000 targets (250 repositories × 4 project directories) of a mocked
// installation. How long recording the run and its actions takes, and how many Checks API calls
// each action costs while the actions pass through their statuses as fast as the queue allows.

const OWNER = "bench-org";
const REPOSITORIES = 250;
const PROJECTS = ["services/api", "services/web", "services/worker", "services/jobs"];
const WORKERS = 8;

const source = `targets:
  repositories: ["${OWNER}/*", "!${OWNER}/legacy-*"]
  projects: ["services/*"]
container:
  image: automations-test:busybox
steps:
  - name: Check
    run: "true"
`;

// The actions here run no container, so recovery has none to remove.
const noContainers: ContainerRuntime = {
  start: async () => {
    throw new Error("the fan-out benchmark starts no container");
  },
  removeByLabel: async () => 0,
};

const sha = (n: number) => n.toString(16).padStart(40, "0");

export async function run(context: BenchContext): Promise<BenchmarkResult> {
  const guard = guardAgainstGitHub();
  const database = await createBenchDatabase(context.databaseUrl);
  const { db } = database;
  try {
    // What the glob and the archived default leave out is listed too, as an installation has it.
    const repositories: MockRepository[] = [
      ...Array.from({ length: REPOSITORIES }, (_, i) => ({
        fullName: `${OWNER}/service-${String(i).padStart(3, "0")}`,
        id: 10_000 + i,
        archived: false,
        directories: ["docs", "services", ...PROJECTS],
      })),
      ...Array.from({ length: 20 }, (_, i) => ({ fullName: `${OWNER}/legacy-${i}`, id: 20_000 + i, archived: false, directories: ["services", ...PROJECTS] })),
      ...Array.from({ length: 20 }, (_, i) => ({ fullName: `${OWNER}/old-${i}`, id: 30_000 + i, archived: true, directories: ["services", ...PROJECTS] })),
    ];
    const heads = new Map(repositories.map((r, i) => [r.fullName, sha(i + 1)]));
    const installation = mockInstallation(repositories, (name) => heads.get(name)!);
    const triggering: CandidateRepository = {
      fullName: repositories[0]!.fullName,
      id: repositories[0]!.id,
      cloneUrl: `https://github.com/${repositories[0]!.fullName}.git`,
      defaultBranch: "main",
      archived: false,
      fork: false,
      topics: [],
    };
    const definition = benchDefinition(source);

    context.progress(`resolving the targets of ${repositories.length} repositories and recording the run`);
    const start = process.hrtime.bigint();
    const resolution = await resolveTargets(gitHubTargets(installation.octokit), {
      targets: definition.targets,
      triggering,
      triggeringCommit: async () => sha(999_999),
      requested: [],
      requester: { login: "octocat", writeAccess: writeAccessChecker(installation.octokit, "octocat") },
    });
    const resolvedMs = elapsedMs(start);
    const { runId } = await createRun(db, {
      automation: definition.name,
      installationId: INSTALLATION_ID,
      repository: triggering.fullName,
      repositoryId: triggering.id,
      headSha: sha(999_999),
      trigger: { kind: "comment", commentId: 1, issueNumber: 1, isPullRequest: true, sender: "octocat" },
      deliveryId: `bench-fan-out-${Date.now()}`,
      commandIndex: 0,
      definition,
      definitionSource: source,
      definitionPath: ".github/automations/bench.yml",
      definitionSha: sha(0),
      definitionRepository: triggering.fullName,
      targets: resolution.targets,
      skippedTargets: resolution.skipped.map(toSkippedTarget),
    });
    const createdMs = elapsedMs(start);
    const targets = resolution.targets.length;

    context.progress(`${targets} actions through their statuses, ${WORKERS} at a time, checks to a counting Checks API`);
    const checks = countingChecks();
    const wakeups = inProcessWakeups();
    const log = benchLog();
    const notify = () => wakeups.notify("checks");
    // A short action as executeAction records one: each step started and finished, then the action.
    const execute = async (action: ClaimedAction) => {
      const claim = { actionId: action.id, workerId: action.claimedBy ?? "", attempt: action.attempts };
      for (const index of action.run.definition.steps.keys()) {
        if (!(await startStep(db, claim, index))) return;
        notify();
        await finishStep(db, claim, index, { status: "done", exitCode: 0 });
        notify();
      }
      await finishAction(db, claim, { status: "done" });
      notify();
    };
    const drainStart = process.hrtime.bigint();
    const reporter = startReporter({ db, wakeups, checks, log, pollMs: 1_000 });
    const worker = startWorker({
      db,
      wakeups,
      workerId: "bench-fan-out",
      concurrency: WORKERS,
      leaseMs: LEASE_MS,
      pollMs: 1_000,
      log,
      execute,
      recover: () => recoverLost(db, noContainers, wakeups),
      recoverEveryMs: LEASE_MS / 2,
    });
    // A queue that stops moving ends this part with the reason; the recording figure still stands.
    let actionsMs = Number.NaN;
    let stuck: string | null = null;
    try {
      await waitForRuns(db, [runId]);
      actionsMs = elapsedMs(drainStart);
      await waitForChecksSent(db);
    } catch (err) {
      stuck = err instanceof Error ? err.message : String(err);
    } finally {
      await worker.stop();
      await reporter.stop();
    }
    const reportedMs = elapsedMs(drainStart);

    const retried = await retriedActions(db, runId);
    const outcomes = await actionOutcomes(db, runId);
    const failure = await firstFailure(db, runId);
    const calls = checks.creates + checks.updates + checks.finds;
    const notCompleted = [...checks.lastStatus.values()].filter((s) => s !== "completed").length;
    const mostForOne = Math.max(0, ...checks.perCheck.values());
    const requests = [...installation.requests].map(([route, n]) => `${n} ${route}`).join(", ");
    return {
      benchmark: "fan-out",
      baseline: "none (absolute goals)",
      notes: [
        `Definition: repositories ["${OWNER}/*", "!${OWNER}/legacy-*"], projects ["services/*"], one step; the mocked installation lists ${repositories.length} repositories (20 excluded by the glob, 20 archived), each with ${PROJECTS.length} matching project directories: ${targets} targets, ${resolution.skipped.length} skipped.`,
        `Recording = resolveTargets (real Octokit paging and requests to an in-process GitHub answering at once: ${requests}) then createRun on PostgreSQL: ${resolvedMs.toFixed(0)} ms resolving, ${(createdMs - resolvedMs).toFixed(0)} ms in createRun.`,
        `Checks: ${WORKERS} worker slots take the actions through claim, step started, step finished and completion (no container: the transitions executeAction records); the reporter sends to a counting Checks API: ${checks.creates} creates, ${checks.updates} updates, at most ${mostForOne} calls for one check, ${notCompleted} checks left not completed (the run's summary check included). Actions whose claim was lost and recovered after its lease: ${retried}. Actions by outcome: ${JSON.stringify(outcomes)}${failure ? ` (first failure: ${failure})` : ""}. ${stuck ? `Stopped waiting: ${stuck}.` : `All actions finished ${(actionsMs / 1000).toFixed(1)} s and every check was sent ${(reportedMs / 1000).toFixed(1)} s after the workers started.`}`,
        `Requests refused on their way to GitHub: ${guard.refused.length}.`,
      ],
      figures: [
        { name: `run + ${targets} actions recorded`, unit: "s", value: createdMs / 1000, goal: { on: "value", op: "<", limit: 2 } },
        { name: "Checks API calls per action", unit: "", value: targets > 0 && stuck === null ? calls / targets : Number.NaN, goal: { on: "value", op: "<=", limit: 3 } },
        ...(notCompleted > 0 || targets !== REPOSITORIES * PROJECTS.length || (outcomes.done ?? 0) !== targets
          ? [{ name: "actions not done or checks not completed", unit: "", value: Math.max(notCompleted, REPOSITORIES * PROJECTS.length - (outcomes.done ?? 0)), goal: { on: "value" as const, op: "<=" as const, limit: 0 } }]
          : []),
      ],
    };
  } finally {
    guard.restore();
    await database.destroy();
  }
}
