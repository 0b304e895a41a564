import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import nock from "nock";
import pino from "pino";
import { Octokit } from "@octokit/rest";
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { createPgliteDatabase, createPostgresDatabase, type TestDatabase } from "../helpers/database.js";
import { GITHUB_API, isolateGitHub, restoreNetwork } from "../helpers/github-api.js";
import { waitFor } from "../helpers/wait-for.js";
import { createRun } from "../../src/runs/create-run.js";
import { claimNextAction } from "../../src/queue/claim-action.js";
import { recoverLostActions } from "../../src/queue/recover-lost-actions.js";
import { cancelRun } from "../../src/runs/cancel.js";
import { finishAction, finishStep, startStep, type ActionClaim } from "../../src/runs/transitions.js";
import { actions, runs } from "../../src/runs/runs.sql.js";
import { checkOutbox } from "../../src/reporting/outbox.sql.js";
import { enqueueUnlessWaiting } from "../../src/reporting/waiting-row.js";
import { logChunks } from "../../src/execution/logs.sql.js";
import { parseDefinition } from "../../src/automations/parse-definition.js";
import { startReporter, type Reporter, type ReporterOptions } from "../../src/reporting/reporter.js";
import { octokitChecks } from "../../src/github-app/octokit-checks.js";
import type { ChecksApi } from "../../src/reporting/checks-api.js";
import type { InstallationOctokit } from "../../src/github-app/installation-octokit.js";
import type { ContainerRuntime } from "../../src/execution/container-runtime.js";
import { inProcessWakeups } from "../../src/queue/wakeups.js";

// The reporter against GitHub's Checks API (nock) with faults injected: server errors, rate
// limits, timeouts, restarts and a crash between a create and storing its id. The database is
// real; actions move through the same transitions the workers use, without containers.

const log = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
const REPOSITORY = "acme/app";
const HEAD_SHA = "5f3c0ffee5f3c0ffee5f3c0ffee5f3c0ffee5f3c";
const SUMMARY_NAME = "automation: sweep";
const actionCheckName = (target: string) => `automation: sweep — ${target}`;

const source = ["container:", "  image: busybox", "steps:", "  - name: Build", "    run: make", "  - name: Test", "    run: make test"].join("\n");
const parsed = parseDefinition(source, ".github/automations/sweep.yml");
if (!parsed.ok) throw new Error("test definition invalid");

// Faults are answered once each, then GitHub behaves; waits stay short whatever GitHub asks for.
const fastRetries: Partial<ReporterOptions> = { maxBackoffMs: 30, baseBackoffMs: 5, pollMs: 100, holdMs: 400 };
// Progress within a phase is held back for longer than a test takes: every update is a phase change.
const noProgressUpdates: Partial<ReporterOptions> = { progressIntervalMs: 60_000, summaryIntervalMs: 60_000 };

const installationOctokit = async () => new Octokit({ auth: "ghs_reporterTestToken" }) as unknown as InstallationOctokit;

interface SeenRequest {
  method: string;
  path: string;
  body: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  answered: "ok" | "fault";
}

/** GitHub's Checks API for one run: each check created once, updates recorded, faults first. */
function mockChecksApi(checkIds: Map<string, number>, names: Map<string, string>) {
  const seen: SeenRequest[] = [];
  const record = (scope: nock.Scope, answered: SeenRequest["answered"]) =>
    scope.on("request", (req: { method: string; url: string }, _interceptor: unknown, body: string) => {
      seen.push({ method: req.method, path: new URL(req.url).pathname, body: body ? JSON.parse(body) : {}, answered });
    });
  const faults = record(nock(GITHUB_API), "fault");
  const slowCreates = record(nock(GITHUB_API), "ok");
  const creates = record(nock(GITHUB_API), "ok");
  const lookups = record(nock(GITHUB_API), "ok");
  const updates = record(nock(GITHUB_API).persist(), "ok");

  const createOf = (externalId: string) => (body: Record<string, unknown>) => body.external_id === externalId;
  const api = {
    seen,
    /** The one create GitHub accepts for each check. */
    acceptCreates(except: string[] = []) {
      for (const [externalId, id] of checkIds) {
        if (except.includes(externalId)) continue;
        creates.post(`/repos/${REPOSITORY}/check-runs`, createOf(externalId)).reply(201, { id });
      }
      // How many updates a check gets depends on how far its action got before its create.
      for (const id of checkIds.values()) updates.patch(`/repos/${REPOSITORY}/check-runs/${id}`).optionally().reply(200, { id });
    },
    failCreate(externalId: string, status: number, message: string, headers: Record<string, string> = {}) {
      faults.post(`/repos/${REPOSITORY}/check-runs`, createOf(externalId)).reply(status, { message }, headers);
    },
    /** GitHub makes the check, but its answer comes after the reporter stopped waiting. */
    createSlowly(externalId: string) {
      slowCreates.post(`/repos/${REPOSITORY}/check-runs`, createOf(externalId)).delay(3_000).reply(201, { id: checkIds.get(externalId) });
    },
    failUpdate(externalId: string, status: string | null, reply: { status: number; message: string; headers?: Record<string, string> } | "timeout") {
      const interceptor = faults.patch(`/repos/${REPOSITORY}/check-runs/${checkIds.get(externalId)}`, (body: Record<string, unknown>) => status === null || body.status === status);
      if (reply === "timeout") interceptor.delay(3_000).reply(200, {});
      else interceptor.reply(reply.status, { message: reply.message }, reply.headers ?? {});
    },
    /** What a lookup by name finds on the commit: the check, when GitHub made it. */
    lookup(externalId: string, found: boolean) {
      const name = names.get(externalId)!;
      lookups
        .get(`/repos/${REPOSITORY}/commits/${HEAD_SHA}/check-runs`)
        .query((q) => q.check_name === name && q.filter === "all")
        .reply(200, found ? { total_count: 1, check_runs: [{ id: checkIds.get(externalId), name, external_id: externalId }] } : { total_count: 0, check_runs: [] });
    },
    creates(externalId: string) {
      return seen.filter((r) => r.method === "POST" && r.body.external_id === externalId);
    },
    /** Everything sent for one check, in order: its create and its updates. */
    callsFor(externalId: string) {
      const id = checkIds.get(externalId);
      return seen.filter((r) => r.body.external_id === externalId || r.path.endsWith(`/check-runs/${id}`));
    },
  };
  return api;
}

// PostgreSQL, and PGlite (the embedded default) for all but the largest run.
const databases = [
  { kind: "PostgreSQL", create: createPostgresDatabase },
  { kind: "PGlite", create: createPgliteDatabase },
];

describe.each(databases)("check runs kept in step with the database ($kind, GitHub mocked)", ({ kind, create }) => {
  let database: TestDatabase;
  const reporters: Reporter[] = [];

  beforeAll(async () => {
    database = await create();
  });
  afterAll(async () => {
    await database?.destroy();
  });
  afterEach(async () => {
    await Promise.all(reporters.splice(0).map((r) => r.stop()));
    restoreNetwork();
  });

  function reporter(options: Partial<ReporterOptions> & { checks?: ChecksApi } = {}): Reporter {
    const started = startReporter({
      db: database.db,
      checks: octokitChecks(installationOctokit, { requestTimeoutMs: 2_000 }),
      wakeups: inProcessWakeups(),
      log,
      pollMs: 100,
      ...fastRetries,
      ...noProgressUpdates,
      ...options,
    });
    reporters.push(started);
    return started;
  }

  async function newRun(deliveryId: string, count: number) {
    const targets = Array.from({ length: count }, (_, i) => ({
      repository: `acme/service-${String(i).padStart(2, "0")}`,
      repositoryId: 100 + i,
      cloneUrl: `https://example.invalid/acme/service-${i}.git`,
      ref: "main",
      project: null,
    }));
    const { runId } = await createRun(database.db, {
      automation: "sweep",
      installationId: 1,
      repository: REPOSITORY,
      repositoryId: 1,
      headSha: HEAD_SHA,
      trigger: { kind: "comment", commentId: 1, issueNumber: 1, isPullRequest: true, sender: "octocat" },
      deliveryId,
      commandIndex: 0,
      definition: parsed.ok ? parsed.definition : (undefined as never),
      definitionSource: source,
      definitionPath: ".github/automations/sweep.yml",
      definitionSha: "b".repeat(40),
      definitionRepository: REPOSITORY,
      targets,
    });
    const rows = await database.db.select().from(actions).where(eq(actions.runId, runId)).orderBy(asc(actions.position));
    const checkIds = new Map<string, number>([[`run:${runId}`, 9_000]]);
    const names = new Map<string, string>([[`run:${runId}`, SUMMARY_NAME]]);
    rows.forEach((row, i) => {
      checkIds.set(row.id, 10_000 + i);
      names.set(row.id, actionCheckName(row.repository));
    });
    return { runId, actionIds: rows.map((r) => r.id), checkIds, names };
  }

  /** The next pending action, as a worker claims it (a row another transaction holds a moment is skipped, so ask again). */
  const claimAction = (worker: string) =>
    waitFor(`an action for ${worker} to claim`, async () => (await claimNextAction(database.db, worker, 60_000)) ?? undefined, 5_000);

  /** A worker's life for one action: claimed, both steps, then done (or failed in Test). */
  async function work(worker: string, outcome: (actionId: string) => "done" | "failed") {
    const claimed = await claimAction(worker);
    const claim: ActionClaim = { actionId: claimed.id, workerId: worker, attempt: claimed.attempts };
    await startStep(database.db, claim, 0);
    await finishStep(database.db, claim, 0, { status: "done", exitCode: 0 });
    await startStep(database.db, claim, 1);
    if (outcome(claimed.id) === "failed") {
      await finishStep(database.db, claim, 1, { status: "failed", exitCode: 1, reason: null });
      await database.db.update(actions).set({ errorLine: `Error: 2 tests failed in /src/${claimed.repository}/app.test.ts` }).where(eq(actions.id, claimed.id));
      await finishAction(database.db, claim, { status: "failed", reason: 'step "Test" failed with exit code 1' });
    } else {
      await finishStep(database.db, claim, 1, { status: "done", exitCode: 0 });
      await finishAction(database.db, claim, { status: "done" });
    }
    return claimed.id;
  }

  const unsentRows = async (runId: string) =>
    (await database.db.select().from(checkOutbox).where(and(eq(checkOutbox.runId, runId), isNull(checkOutbox.sentAt)))).length;

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it("keeps an action's changes waiting as one row per phase: the send shows the state it reads then", async () => {
    const { runId, actionIds } = await newRun("one-row-per-phase", 1);
    // Claimed, two steps started and finished, done, with no reporter running meanwhile.
    await work("worker-rows", () => "done");
    const rows = await database.db
      .select({ phase: checkOutbox.phase })
      .from(checkOutbox)
      .where(and(eq(checkOutbox.runId, runId), eq(checkOutbox.actionId, actionIds[0]!)))
      .orderBy(asc(checkOutbox.id));
    expect(rows.map((row) => row.phase)).toEqual(["queued", "in_progress", "completed"]);
    // Its rows were never sent: gone with the run, so later tests' reporters do not try them.
    await database.db.delete(runs).where(eq(runs.id, runId));
  });

  it.skipIf(kind === "PGlite")("adds a row of its own for a change made while a reporter claims the waiting one, and none beside a row still waiting", async () => {
    const { runId, actionIds } = await newRun("claimed-meanwhile", 1);
    const check = { runId, actionId: actionIds[0]! };
    const queuedRows = async () =>
      (await database.db.select().from(checkOutbox).where(and(eq(checkOutbox.actionId, check.actionId), eq(checkOutbox.phase, "queued")))).length;
    // The change's insert, and nothing else, waiting on a lock.
    const waitingOnALock = async () =>
      Number(
        ((await database.db.execute(
          sql`select count(*) as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database() and query like ${`%insert into "check_outbox"%`}`,
        )) as unknown as { rows: Array<{ n: string }> }).rows[0]!.n,
      );
    /** A reporter's claim of the waiting row, held open until `end` is called; `commit: false` rolls it back. */
    const claimHeldOpen = (commit: boolean) => {
      let end!: () => void;
      let locked!: () => void;
      const ended = new Promise<void>((resolve) => (end = resolve));
      const holding = new Promise<void>((resolve) => (locked = resolve));
      const done = database.db
        .transaction(async (tx) => {
          await tx.execute(sql`select id from ${checkOutbox} where ${checkOutbox.actionId} = ${check.actionId} for update`);
          await tx.update(checkOutbox).set({ attempts: sql`${checkOutbox.attempts} + 1` }).where(eq(checkOutbox.actionId, check.actionId));
          locked();
          await ended;
          if (!commit) tx.rollback();
        })
        .catch(() => {})
        .finally(locked);
      return { end, done, holding };
    };

    /** A change made while the claim holds its lock; the claim ends once the change waits on it. */
    const changeDuring = async (claim: ReturnType<typeof claimHeldOpen>) => {
      try {
        await claim.holding;
        const change = database.db.transaction((tx) => enqueueUnlessWaiting(tx, check, "queued"));
        await waitFor("the change to wait on the claim's lock", async () => (await waitingOnALock()) === 1);
        claim.end();
        await change;
      } finally {
        claim.end();
        await claim.done;
      }
    };

    // The claim is rolled back: the row still waits and covers the change.
    await changeDuring(claimHeldOpen(false));
    expect(await queuedRows()).toBe(1);

    // The claim commits: its send may have read the state before the change, so the change gets a row.
    await changeDuring(claimHeldOpen(true));
    expect(await queuedRows()).toBe(2);
    await database.db.delete(runs).where(eq(runs.id, runId));
  });

  it.skipIf(kind === "PGlite")("gives each of 50 actions exactly one check that ends in its conclusion, through faults, a restart and within the call budget", async () => {
    isolateGitHub();
    const { runId, actionIds, checkIds, names } = await newRun("faults-50", 50);
    const summaryId = `run:${runId}`;
    const github = mockChecksApi(checkIds, names);
    const a = (i: number) => actionIds[i]!;

    // Creates that fail: GitHub did not make the check, as a lookup then shows.
    const failedCreates: Array<[string, number, string, Record<string, string>?]> = [
      [a(3), 500, "Server Error"],
      [a(7), 502, "Bad Gateway"],
      [a(15), 429, "Too Many Requests", { "retry-after": "1" }],
      [a(19), 403, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", { "retry-after": "2" }],
      [summaryId, 502, "Bad Gateway"],
    ];
    for (const [externalId, status, message, headers] of failedCreates) {
      github.failCreate(externalId, status, message, headers);
      github.lookup(externalId, false);
    }
    // A create GitHub carried out, whose answer was lost to a timeout: the check is found, not made again.
    github.createSlowly(a(11));
    github.lookup(a(11), true);
    // Updates that fail once.
    github.failUpdate(a(20), null, { status: 403, message: "You have exceeded a secondary rate limit.", headers: { "retry-after": "1" } });
    github.failUpdate(a(25), "completed", { status: 500, message: "Server Error" });
    github.failUpdate(a(30), "completed", "timeout");
    github.failUpdate(a(35), "completed", { status: 429, message: "Too Many Requests", headers: { "retry-after": "3" } });
    github.failUpdate(a(40), null, { status: 502, message: "Bad Gateway" });
    github.failUpdate(a(40), null, { status: 503, message: "Service Unavailable" });
    github.failUpdate(summaryId, "completed", { status: 500, message: "Server Error" });
    github.acceptCreates([a(11)]);
    const faultCount = 12;
    const lookupCount = 6;
    // Checks whose sends met a fault may take one more call for each: the retry.
    const faultsOf = (externalId: string) =>
      github.seen.filter((r) => r.answered === "fault" && github.callsFor(externalId).includes(r)).length + (externalId === a(11) ? 1 : 0);

    const failing = new Set(actionIds.filter((_, i) => i % 5 === 0));
    const outcome = (id: string) => (failing.has(id) ? "failed" : "done");

    const first = reporter();
    // Every check is created queued before work starts, so that each goes through every phase.
    await waitFor("every check created", () => [...checkIds.keys()].every((id) => github.creates(id).some((r) => r.answered === "ok")));
    for (let i = 0; i < 25; i++) {
      await work("worker-1", outcome);
      if (i % 5 === 4) await sleep(40);
    }
    // The reporter stops (a deploy) while the run goes on; its successor picks up what is waiting.
    await first.stop();
    reporters.splice(reporters.indexOf(first), 1);
    for (let i = 25; i < 35; i++) await work("worker-1", outcome);
    reporter();
    for (let i = 35; i < 50; i++) {
      await work("worker-2", outcome);
      if (i % 5 === 4) await sleep(40);
    }

    await waitFor("every change to reach GitHub", async () => (await unsentRows(runId)) === 0, 30_000);

    const checksPerAction = [...checkIds.keys()].map((externalId) => github.creates(externalId).filter((r) => r.answered === "ok").length);
    const notFinal = actionIds.filter((id) => github.callsFor(id).filter((r) => r.answered === "ok").at(-1)?.body.status !== "completed");
    console.info(
      `GitHub faults injected: ${faultCount} across ${actionIds.length} actions; checks per action: ${Math.min(...checksPerAction)}–${Math.max(...checksPerAction)}, ` +
        `left not completed: ${notFinal.length}, calls: ${github.seen.length} (budget ${3 * checkIds.size + faultCount + lookupCount})`,
    );
    // Exactly one check run per action and one summary: GitHub accepted one create for each.
    for (const externalId of checkIds.keys()) {
      const accepted = github.creates(externalId).filter((r) => r.answered === "ok");
      expect(accepted, externalId).toHaveLength(1);
    }
    // Every check reached its final state, with the right conclusion.
    for (const [i, id] of actionIds.entries()) {
      const last = github.callsFor(id).filter((r) => r.answered === "ok").at(-1)!;
      expect(last.body, `action ${i}`).toMatchObject({
        status: "completed",
        conclusion: failing.has(id) ? "failure" : "success",
        name: actionCheckName(`acme/service-${String(i).padStart(2, "0")}`),
        external_id: id,
      });
    }
    const summary = github.callsFor(summaryId).filter((r) => r.answered === "ok" && r.method !== "GET");
    expect(summary.at(0)?.body).toMatchObject({ name: SUMMARY_NAME, head_sha: HEAD_SHA, external_id: summaryId });
    expect(summary.at(-1)?.body).toMatchObject({
      status: "completed",
      conclusion: "failure",
      output: { title: "10 of 50 actions failed" },
      actions: [{ label: "Retry failed", identifier: "retry-failed", description: "Run the 10 failed targets again" }],
    });
    expect(summary.at(-1)?.body.output.summary).toContain("All 10 failures share one cause");

    // The budget: at most three calls for each check (created queued, in progress, completed),
    // plus one call per injected fault and one lookup after each create whose outcome was unknown.
    for (const externalId of checkIds.keys()) {
      const sent = github.callsFor(externalId).filter((r) => r.answered === "ok" && r.method !== "GET").length;
      expect(sent, externalId).toBeLessThanOrEqual(3 + faultsOf(externalId));
    }
    expect(github.seen.filter((r) => r.answered === "fault")).toHaveLength(faultCount);
    expect(github.seen.filter((r) => r.method === "GET")).toHaveLength(lookupCount);
    expect(github.seen.length).toBeLessThanOrEqual(3 * checkIds.size + faultCount + lookupCount);
    expect(nock.pendingMocks()).toEqual([]);

    // The ids are stored: the summary's for the retry-failed button, each action's for its updates.
    const [run] = await database.db.select().from(runs).where(eq(runs.id, runId));
    expect(run?.summaryCheckRunId).toBe(9_000);
    const stored = await database.db.select({ id: actions.id, checkRunId: actions.checkRunId }).from(actions).where(eq(actions.runId, runId));
    expect(stored.every((row) => row.checkRunId === checkIds.get(row.id))).toBe(true);
  });

  it.skipIf(kind === "PGlite")("lets two reporters work one run at once: each check made once, each change sent, every check final", async () => {
    isolateGitHub();
    const { runId, actionIds, checkIds, names } = await newRun("two-reporters", 8);
    const github = mockChecksApi(checkIds, names);
    github.acceptCreates();
    reporter();
    reporter();

    for (let i = 0; i < actionIds.length; i++) await work(`worker-${i % 3}`, (id) => (id === actionIds[2] ? "failed" : "done"));
    await waitFor("every change to reach GitHub", async () => (await unsentRows(runId)) === 0, 20_000);

    for (const id of [...actionIds, `run:${runId}`]) {
      expect(github.creates(id), id).toHaveLength(1);
      expect(github.callsFor(id).at(-1)?.body, id).toMatchObject({ status: "completed" });
    }
    expect(github.callsFor(actionIds[2]!).at(-1)?.body).toMatchObject({ conclusion: "failure" });
    expect(github.callsFor(`run:${runId}`).at(-1)?.body).toMatchObject({ conclusion: "failure" });
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("does not make a second check run when the reporter died between GitHub's create and storing the id", async () => {
    isolateGitHub();
    const { runId, actionIds, checkIds, names } = await newRun("crash-after-create", 2);
    const [victim, other] = actionIds as [string, string];
    const github = mockChecksApi(checkIds, names);
    github.lookup(victim, true);
    github.acceptCreates();

    // The first reporter's process dies right after GitHub made the victim's check.
    const real = octokitChecks(installationOctokit, { requestTimeoutMs: 2_000 });
    let died = false;
    const dying: ChecksApi = {
      ...real,
      async create(installationId, repository, headSha, fields) {
        const created = await real.create(installationId, repository, headSha, fields);
        if (fields.external_id !== victim) return created;
        died = true;
        return new Promise<never>(() => {}); // never returns: the id is never stored
      },
    };
    startReporter({ db: database.db, checks: dying, wakeups: inProcessWakeups(), log, ...fastRetries, ...noProgressUpdates, pollMs: 100 } as ReporterOptions);
    await waitFor("GitHub to make the check", () => died);

    // Another replica (or the restarted process) takes over once the dead one's hold expires.
    reporter();
    await work("worker-1", () => "done");
    await work("worker-1", () => "failed");
    await waitFor("every change to reach GitHub", async () => (await unsentRows(runId)) === 0, 10_000);

    expect(github.creates(victim)).toHaveLength(1);
    expect(github.creates(other)).toHaveLength(1);
    expect(github.callsFor(victim).at(-1)?.body).toMatchObject({ status: "completed", conclusion: "success" });
    const [stored] = await database.db.select({ checkRunId: actions.checkRunId }).from(actions).where(eq(actions.id, victim));
    expect(stored?.checkRunId).toBe(checkIds.get(victim));
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("records a change GitHub refuses for good on its row, gives up after three attempts, and still sends later ones", async () => {
    isolateGitHub();
    const { runId, actionIds, checkIds, names } = await newRun("refused", 1);
    const [only] = actionIds as [string];
    const github = mockChecksApi(checkIds, names);
    for (let i = 0; i < 3; i++) github.failCreate(only, 422, "Validation Failed: No commit found for SHA");
    github.lookup(only, false);
    github.lookup(only, false);
    github.acceptCreates();
    const active = reporter();

    await waitFor("the refused row to be given up", async () => {
      const [row] = await database.db.select().from(checkOutbox).where(and(eq(checkOutbox.actionId, only), sql`${checkOutbox.gaveUpAt} is not null`));
      return row;
    });
    const [refused] = await database.db.select().from(checkOutbox).where(eq(checkOutbox.actionId, only));
    expect(refused).toMatchObject({ phase: "queued", attempts: 3, sentAt: null });
    expect(refused?.lastError).toContain(`Gave up updating the check of action ${only} after 3 attempts: GitHub answered 422: Validation Failed: No commit found for SHA`);

    // The action moves on: its next change is sent (and creates the check GitHub now accepts).
    await work("worker-1", () => "done");
    await active.drain();
    await waitFor("the completed check", () => github.callsFor(only).find((r) => r.answered === "ok" && r.body.status === "completed"));
    expect(github.creates(only).filter((r) => r.answered === "ok")).toHaveLength(1);
    await waitFor("every change to reach GitHub", async () => (await unsentRows(runId)) === 1, 5_000);
  });

  it("ends a check that was in progress in failure when its worker was lost, and in cancelled or skipped when the run was cancelled", async () => {
    isolateGitHub();
    const lost = await newRun("recovered", 1);
    const cancelled = await newRun("cancelled", 2);
    const checkIds = new Map([...lost.checkIds, ...cancelled.checkIds].map(([k], i) => [k, 20_000 + i]));
    const names = new Map([...lost.names, ...cancelled.names]);
    const github = mockChecksApi(checkIds, names);
    github.acceptCreates();
    const active = reporter();

    // Both runs' first actions are claimed and in their first step; the checks show it.
    const claims: ActionClaim[] = [];
    for (let i = 0; i < 2; i++) {
      const claimed = await claimAction(`worker-${i}`);
      const claim = { actionId: claimed.id, workerId: `worker-${i}`, attempt: claimed.attempts };
      await startStep(database.db, claim, 0);
      claims.push(claim);
    }
    await waitFor("the checks in progress", () =>
      claims.every((c) => github.callsFor(c.actionId).some((r) => r.body.status === "in_progress")),
    );

    // The first worker dies: recovery fails its action. The second run is cancelled: its running
    // action is stopped by its worker, its pending one never starts.
    await database.db.update(actions).set({ leaseExpiresAt: sql`now() - interval '1 second'` }).where(eq(actions.id, claims[0]!.actionId));
    const runtime = { removeByLabel: async () => {} } as unknown as ContainerRuntime;
    expect((await recoverLostActions(database.db, runtime, log)).failed).toEqual([claims[0]!.actionId]);
    await cancelRun({ db: database.db, wakeups: inProcessWakeups() }, cancelled.runId, "octocat");
    await finishAction(database.db, claims[1]!, { status: "stopped", reason: "cancelled by @octocat" });

    await active.drain();
    await waitFor("every change to reach GitHub", async () => (await unsentRows(lost.runId)) + (await unsentRows(cancelled.runId)) === 0);
    const last = (externalId: string) => github.callsFor(externalId).filter((r) => r.answered === "ok").at(-1)?.body;
    expect(last(claims[0]!.actionId)).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(last(claims[0]!.actionId)?.output.title).toContain("worker lost");
    expect(last(`run:${lost.runId}`)).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(last(claims[1]!.actionId)).toMatchObject({ status: "completed", conclusion: "cancelled" });
    const pendingOne = cancelled.actionIds.find((id) => id !== claims[1]!.actionId)!;
    expect(last(pendingOne)).toMatchObject({ status: "completed", conclusion: "skipped" });
    expect(last(`run:${cancelled.runId}`)).toMatchObject({ status: "completed", conclusion: "cancelled" });
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("shows a long step's log on its check as it grows, not only when the step ends", async () => {
    isolateGitHub();
    const { actionIds, checkIds, names } = await newRun("log-progress", 1);
    const [only] = actionIds as [string];
    const github = mockChecksApi(checkIds, names);
    github.acceptCreates();
    reporter({ progressIntervalMs: 100 });
    await waitFor("the check created", () => github.creates(only).length === 1);

    const claimed = await claimAction("worker-1");
    await startStep(database.db, { actionId: claimed.id, workerId: "worker-1", attempt: claimed.attempts }, 0);
    await waitFor("the check in progress", () => github.callsFor(only).some((r) => r.body.status === "in_progress"));
    for (const progress of ["compiling 42%", "compiling 99%"]) {
      await database.db.insert(logChunks).values({ actionId: only, stepIndex: 0, stream: "stdout", content: `${progress}\n` });
      await waitFor(`"${progress}" on the check`, () =>
        github.callsFor(only).find((r) => r.body.status === "in_progress" && String(r.body.output?.summary).includes(progress)),
      );
    }
  });

  it("links each check to the app's page and shows the agent session as its text", async () => {
    isolateGitHub();
    const { runId, actionIds, checkIds, names } = await newRun("links", 1);
    const [only] = actionIds as [string];
    const session = [
      JSON.stringify({ type: "message", role: "assistant", content: "Upgrading Node to 22." }),
      JSON.stringify({ type: "tool_call", name: "edit_file", input: { path: "package.json" } }),
    ].join("\n");
    await database.db.update(actions).set({ session, pullRequestUrl: "https://github.com/acme/service-00/pull/7", pullRequestNumber: 7 }).where(eq(actions.id, only));
    const github = mockChecksApi(checkIds, names);
    github.acceptCreates();
    reporter({ publicUrl: "https://automations.example.com/" });

    await waitFor("both checks created", () => github.seen.filter((r) => r.method === "POST").length === 2);
    const [summary, action] = [github.creates(`run:${runId}`)[0]!.body, github.creates(only)[0]!.body];
    expect(action.details_url).toBe(`https://automations.example.com/automations/actions/${only}`);
    expect(action.output.text).toContain("Upgrading Node to 22.");
    expect(action.output.text).toContain("edit_file");
    expect(summary.details_url).toBe(`https://automations.example.com/automations/runs/${runId}`);
    expect(summary.output.summary).toContain("[#7](https://github.com/acme/service-00/pull/7)");
    expect(summary.output.summary).toContain(`[acme/service-00](https://automations.example.com/automations/actions/${only})`);
  });
});
