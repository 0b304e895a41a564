import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import type { Db } from "../../src/db/client.js";
import { parseDefinition } from "../../src/automations/parse-definition.js";
import { createRun } from "../../src/runs/create-run.js";
import { actions, actionSteps, runs } from "../../src/runs/runs.sql.js";
import { logChunks } from "../../src/execution/logs.sql.js";
import type { RunTrigger } from "../../src/runs/run-trigger.js";
import type { ActionStatus, StepStatus } from "../../src/runs/statuses.js";

// Runs, actions, steps, logs and sessions written straight into the database, as the workers
// would have left them, for the pages' tests and screenshots.

export const DEFINITION_V1 = `name: upgrade-node
description: Move every service to Node 22
on:
  comment: true
targets:
  repositories: ["acme/*"]
container:
  image: node:20-bookworm
  secrets: [ANTHROPIC_API_KEY]
steps:
  - name: Install
    run: npm ci
  - name: Upgrade
    agent:
      command: my-agent --prompt-file "$AUTOMATION_PROMPT_FILE"
      prompt: Upgrade Node to 22 and fix what breaks.
  - name: Test
    run: npm test
pull_request:
  branch: automation/upgrade-node
  title: "chore: upgrade Node.js to 22"
`;

export const DEFINITION_V2 = DEFINITION_V1.replace("node:20-bookworm", "node:22-bookworm").replace(
  "Upgrade Node to 22 and fix what breaks.",
  "Upgrade Node to 22, update engines in package.json, and fix what breaks.",
);

export interface SeedAction {
  repository: string;
  project?: string | null;
  status: ActionStatus;
  /** Seconds the action took (finished) or has been running. */
  seconds?: number;
  steps?: StepStatus[];
  exitCode?: number;
  reason?: string | null;
  errorLine?: string | null;
  pullRequestNumber?: number | null;
  session?: string | null;
  log?: Array<{ step: number; stream?: "stdout" | "stderr" | "system"; text: string }>;
}

export interface SeedRun {
  automation?: string;
  repository?: string;
  installationId?: number;
  definitionRepository?: string;
  definitionSource?: string;
  definitionSha?: string;
  trigger?: RunTrigger;
  secretFingerprints?: Record<string, string>;
  /** How long ago the run started. */
  minutesAgo?: number;
  actions: SeedAction[];
}

export async function seedRun(db: Db, seed: SeedRun): Promise<{ runId: string; actionIds: string[] }> {
  const source = seed.definitionSource ?? DEFINITION_V1;
  const parsed = parseDefinition(source, ".github/automations/upgrade-node.yml");
  if (!parsed.ok) throw new Error(`seed definition is invalid: ${JSON.stringify(parsed.errors)}`);
  const repository = seed.repository ?? "acme/api";
  const { runId } = await createRun(db, {
    automation: seed.automation ?? parsed.definition.name,
    installationId: seed.installationId ?? 1,
    repository,
    repositoryId: 100,
    headSha: "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
    trigger: seed.trigger ?? { kind: "comment", commentId: 5001, issueNumber: 42, isPullRequest: true, sender: "octocat" },
    deliveryId: randomUUID(),
    commandIndex: 0,
    definition: parsed.definition,
    definitionSource: source,
    definitionPath: ".github/automations/upgrade-node.yml",
    definitionSha: seed.definitionSha ?? "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432",
    definitionRepository: seed.definitionRepository ?? "acme/.github",
    targets: seed.actions.map((a, i) => ({
      repository: a.repository,
      repositoryId: 200 + i,
      cloneUrl: `https://github.com/${a.repository}.git`,
      ref: "main",
      project: a.project ?? null,
    })),
  });
  const started = new Date(Date.now() - (seed.minutesAgo ?? 5) * 60_000);
  await db
    .update(runs)
    .set({ createdAt: started, secretFingerprints: seed.secretFingerprints ?? {} })
    .where(eq(runs.id, runId));
  const rows = await db.select({ id: actions.id, position: actions.position }).from(actions).where(eq(actions.runId, runId));
  const ids = rows.sort((a, b) => a.position - b.position).map((r) => r.id);
  let runFinished: Date | null = started;
  for (const [i, seedAction] of seed.actions.entries()) {
    const id = ids[i]!;
    const seconds = seedAction.seconds ?? 42;
    const finished = seedAction.status === "done" || seedAction.status === "failed" || seedAction.status === "stopped";
    const actionStart = seedAction.status === "pending" ? null : new Date(started.getTime() + 2_000);
    const actionEnd = finished && actionStart ? new Date(actionStart.getTime() + seconds * 1000) : null;
    if (actionEnd && runFinished && actionEnd > runFinished) runFinished = actionEnd;
    if (!finished) runFinished = null;
    await db
      .update(actions)
      .set({
        status: seedAction.status,
        startedAt: actionStart,
        finishedAt: actionEnd,
        reason: seedAction.reason ?? null,
        errorLine: seedAction.errorLine ?? null,
        pullRequestNumber: seedAction.pullRequestNumber ?? null,
        pullRequestUrl: seedAction.pullRequestNumber ? `https://github.com/${seedAction.repository}/pull/${seedAction.pullRequestNumber}` : null,
        session: seedAction.session ?? null,
        attempts: seedAction.status === "pending" ? 0 : 1,
        claimedBy: seedAction.status === "running" ? "seed-worker" : null,
        leaseExpiresAt: seedAction.status === "running" ? new Date(Date.now() + 3_600_000) : null,
      })
      .where(eq(actions.id, id));
    const steps = seedAction.steps ?? defaultSteps(seedAction.status);
    for (const [index, status] of steps.entries()) {
      const stepStart = status === "pending" || status === "skipped" || !actionStart ? null : new Date(actionStart.getTime() + index * 10_000);
      const stepEnd = stepStart && status !== "running" ? new Date(stepStart.getTime() + 8_000) : null;
      await db
        .update(actionSteps)
        .set({
          status,
          startedAt: stepStart,
          finishedAt: stepEnd,
          exitCode: status === "done" ? 0 : status === "failed" ? (seedAction.exitCode ?? 1) : null,
        })
        .where(sql`${actionSteps.actionId} = ${id} and ${actionSteps.index} = ${index}`);
    }
    if (seedAction.log && seedAction.log.length > 0) {
      await db.insert(logChunks).values(seedAction.log.map((l) => ({ actionId: id, stepIndex: l.step, stream: l.stream ?? "stdout", content: l.text })));
    }
  }
  const statuses = seed.actions.map((a) => a.status);
  const runStatus = statuses.every((s) => s === "pending")
    ? "pending"
    : statuses.some((s) => s === "pending" || s === "running")
      ? "running"
      : statuses.includes("failed")
        ? "failed"
        : statuses.includes("stopped")
          ? "stopped"
          : "done";
  await db.update(runs).set({ status: runStatus, finishedAt: runStatus === "running" || runStatus === "pending" ? null : runFinished }).where(eq(runs.id, runId));
  return { runId, actionIds: ids };
}

function defaultSteps(status: ActionStatus): StepStatus[] {
  switch (status) {
    case "pending":
      return ["pending", "pending", "pending"];
    case "running":
      return ["done", "running", "pending"];
    case "done":
      return ["done", "done", "done"];
    case "failed":
      return ["done", "done", "failed"];
    case "stopped":
      return ["done", "stopped", "skipped"];
  }
}

export const SESSION_EXAMPLE = [
  { type: "message", role: "user", content: "Upgrade Node to 22 and fix what breaks." },
  { type: "message", role: "assistant", content: "I'll read package.json and the CI configuration first." },
  { type: "tool_call", name: "read_file", input: { path: "package.json" } },
  { type: "tool_result", name: "read_file", output: '{\n  "engines": { "node": ">=20" }\n}' },
  { type: "tool_call", name: "edit_file", input: { path: "package.json", old: ">=20", new: ">=22" } },
  { type: "tool_result", name: "edit_file", output: "ok" },
  { type: "tool_call", name: "run", input: { command: "npm test" } },
  { type: "tool_result", name: "run", output: "1 failing: fetch is not defined in test/setup.js", is_error: true },
  { type: "message", role: "assistant", content: "The tests rely on a fetch polyfill removed in Node 22; that needs a person's decision." },
]
  .map((line) => JSON.stringify(line))
  .join("\n");

/** Three runs of upgrade-node: an older success, a newer failure after the definition and a secret changed, one running. */
export async function seedDemo(db: Db): Promise<{ doneRun: string; failedRun: string; runningRun: string; runningAction: string; failedAction: string }> {
  const done = await seedRun(db, {
    minutesAgo: 180,
    secretFingerprints: { ANTHROPIC_API_KEY: "5d41402abc4b2a76b9719d911017c592" },
    actions: [
      { repository: "acme/api", status: "done", seconds: 95, pullRequestNumber: 311 },
      { repository: "acme/web", status: "done", seconds: 130, pullRequestNumber: 87 },
      { repository: "acme/worker", status: "done", seconds: 61, pullRequestNumber: 19 },
    ],
  });
  const failed = await seedRun(db, {
    minutesAgo: 60,
    definitionSource: DEFINITION_V2,
    definitionSha: "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567",
    trigger: { kind: "comment", commentId: 5002, issueNumber: 57, isPullRequest: true, sender: "hubot-fan" },
    secretFingerprints: { ANTHROPIC_API_KEY: "7d793037a0760186574b0282f2f435e7" },
    actions: [
      { repository: "acme/api", status: "done", seconds: 101, pullRequestNumber: 311 },
      {
        repository: "acme/web",
        status: "failed",
        seconds: 143,
        reason: "step Test exited with 1",
        errorLine: "ReferenceError: fetch is not defined",
        session: SESSION_EXAMPLE,
        log: [
          { step: -1, stream: "system", text: "Cloning acme/web at main\nStarting container node:22-bookworm\n" },
          { step: 0, text: "added 812 packages in 14s\n" },
          { step: 2, text: "\x1b[1m> web@2.4.0 test\x1b[0m\n\x1b[32m✓\x1b[0m renders the header\n" },
          { step: 2, stream: "stderr", text: "\x1b[31m✗ fetches the menu\x1b[0m\n  ReferenceError: fetch is not defined\n" },
        ],
      },
      { repository: "acme/worker", status: "done", seconds: 70, pullRequestNumber: 19 },
    ],
  });
  const running = await seedRun(db, {
    minutesAgo: 2,
    definitionSource: DEFINITION_V2,
    definitionSha: "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567",
    secretFingerprints: { ANTHROPIC_API_KEY: "7d793037a0760186574b0282f2f435e7" },
    actions: [
      {
        repository: "acme/api",
        status: "running",
        log: [
          { step: -1, stream: "system", text: "Cloning acme/api at main\nStarting container node:22-bookworm\n" },
          { step: 0, text: "added 640 packages in 11s\n\x1b[33mwarn\x1b[0m deprecated request@2.88.2\n" },
          { step: 1, text: "Reading package.json\n" },
        ],
      },
      { repository: "acme/web", status: "pending" },
      { repository: "acme/worker", status: "pending" },
    ],
  });
  return {
    doneRun: done.runId,
    failedRun: failed.runId,
    runningRun: running.runId,
    runningAction: running.actionIds[0]!,
    failedAction: failed.actionIds[1]!,
  };
}
