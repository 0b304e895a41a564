import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import pino from "pino";
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { createPgliteDatabase, createPostgresDatabase, type TestDatabase } from "../helpers/database.js";
import { recordTestRun } from "../helpers/test-runs.js";
import { waitFor } from "../helpers/wait-for.js";
import { actions, actionSteps, runs } from "../../src/runs/runs.sql.js";
import { logChunks } from "../../src/execution/logs.sql.js";
import { checkOutbox } from "../../src/reporting/outbox.sql.js";
import { claimCheck, markSent, type CheckKey } from "../../src/reporting/outbox-claims.js";
import { loadActionView } from "../../src/reporting/load-action-view.js";
import { checkRunSummaryMaxChars } from "../../src/reporting/github-limits.js";
import { startReporter } from "../../src/reporting/reporter.js";
import type { ChecksApi, CheckRunFields } from "../../src/reporting/checks-api.js";
import { inProcessWakeups } from "../../src/queue/wakeups.js";

// What the reporter reads to decide and render a send, from the database: a claim's decision
// (send now, or hold progress back for the interval), an action's view with the end of a long
// log, and the reporter sending held-back progress once it is due, with no wake-up to prompt it.

const source = [
  "container:",
  "  image: busybox",
  "steps:",
  "  - name: Build",
  "    run: make",
  "  - name: Test",
  "    continue_on_error: true",
  "    run: make test",
  "  - name: Lint",
  "    run: make lint",
].join("\n");
const MINUTE = 60_000;

const databases = [
  { kind: "PostgreSQL", create: createPostgresDatabase },
  { kind: "PGlite", create: createPgliteDatabase },
];

describe.each(databases)("what the reporter reads ($kind)", ({ create }) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await create();
  });
  afterAll(async () => {
    await database?.destroy();
  });

  /** A run of one action; its check rows as the run's creation wrote them (queued). */
  async function newAction() {
    const runId = await recordTestRun(database.db, {
      source,
      automation: "sweep",
      repository: "acme/app",
      headSha: "c".repeat(40),
      deliveryId: randomUUID(),
      targets: [{ repository: "acme/service", repositoryId: 2, cloneUrl: "https://example.invalid/acme/service.git", ref: "main", project: null }],
    });
    const [action] = await database.db.select({ id: actions.id }).from(actions).where(eq(actions.runId, runId));
    const actionKey: CheckKey = { runId, actionId: action!.id, installationId: 1 };
    const summaryKey: CheckKey = { runId, actionId: null, installationId: 1 };
    return { runId, actionId: action!.id, actionKey, summaryKey };
  }

  const addRow = (key: CheckKey, phase: "queued" | "in_progress" | "completed") =>
    database.db.insert(checkOutbox).values({ runId: key.runId, actionId: key.actionId, phase });

  /** Claims and records as sent, as a send that went through does; returns when it was claimed. */
  async function sendNow(key: CheckKey, intervalMs: number): Promise<Date> {
    const claim = await claimCheck(database.db, key, { intervalMs, holdMs: MINUTE });
    if (claim.kind !== "claimed") throw new Error(`expected a claim, got ${claim.kind}`);
    await markSent(database.db, claim.rowIds, claim.claimedAt);
    return claim.claimedAt;
  }

  it("holds progress back for the interval after the last update, sends phase changes at once, and sends progress when no check run is stored yet", async () => {
    const { runId, actionId, actionKey, summaryKey } = await newAction();
    for (const key of [actionKey, summaryKey]) {
      const store = (id: number | null) =>
        key.actionId === null
          ? database.db.update(runs).set({ summaryCheckRunId: id }).where(eq(runs.id, runId))
          : database.db.update(actions).set({ checkRunId: id }).where(eq(actions.id, actionId));

      // Queued (the check's first send), then in progress: phase changes go at once.
      await sendNow(key, MINUTE);
      await store(1234);
      await addRow(key, "in_progress");
      const lastSentAt = await sendNow(key, MINUTE);

      // More progress within the interval waits until the interval has passed since that send.
      await addRow(key, "in_progress");
      const held = await claimCheck(database.db, key, { intervalMs: MINUTE, holdMs: MINUTE });
      expect(held).toMatchObject({ kind: "deferred", until: new Date(lastSentAt.getTime() + MINUTE) });
      // Held back, not due: nothing to claim, and the claim says when it will be.
      const early = await claimCheck(database.db, key, { intervalMs: MINUTE, holdMs: MINUTE });
      expect(early.kind).toBe("none");
      expect(early.kind === "none" && early.dueInMs).toBeGreaterThan(MINUTE / 2);

      // The same progress, while no check run id is stored (a create whose answer was lost): sent now.
      await store(null);
      await database.db.update(checkOutbox).set({ notBefore: sql`now()` }).where(and(eq(checkOutbox.runId, runId), isNull(checkOutbox.sentAt)));
      const unknown = await claimCheck(database.db, key, { intervalMs: MINUTE, holdMs: MINUTE });
      expect(unknown).toMatchObject({ kind: "claimed", attempts: 1, begunBefore: false });
      if (unknown.kind === "claimed") await markSent(database.db, unknown.rowIds, unknown.claimedAt);
      await store(1234);

      // A phase change within the interval is not held back.
      await addRow(key, "completed");
      expect((await claimCheck(database.db, key, { intervalMs: MINUTE, holdMs: MINUTE })).kind).toBe("claimed");
    }
  });

  it("reads an action's steps in order with their times, and only the end of a log longer than a check holds", async () => {
    const { actionId } = await newAction();
    // Times with microseconds, as PostgreSQL's now() stores them; out of order across steps.
    await database.db
      .update(actionSteps)
      .set({ status: "done", exitCode: 0, startedAt: sql`'2026-03-01 10:00:00.123456+00'`, finishedAt: sql`'2026-03-01 10:00:09.999999+00'` })
      .where(and(eq(actionSteps.actionId, actionId), eq(actionSteps.index, 0)));
    await database.db
      .update(actionSteps)
      .set({ status: "failed", exitCode: 2, reason: "out of memory", startedAt: sql`'2026-03-01 10:00:10.5+00'`, finishedAt: sql`'2026-03-01 10:01:00+00'` })
      .where(and(eq(actionSteps.actionId, actionId), eq(actionSteps.index, 1)));
    await database.db.update(actions).set({ status: "failed", startedAt: new Date("2026-03-01T09:59:59.001Z"), checkRunId: 77 }).where(eq(actions.id, actionId));

    const empty = await loadActionView(database.db, actionId);
    expect(empty?.view).toMatchObject({ logTail: "", logOmittedChars: 0, status: "failed", automation: "sweep", repository: "acme/service" });
    expect(empty).toMatchObject({ checkRunId: 77, checkRepository: "acme/app", headSha: "c".repeat(40), installationId: 1, session: null });
    // The steps as the table holds them, field for field, and whether the definition lets each fail.
    const stored = await database.db.select().from(actionSteps).where(eq(actionSteps.actionId, actionId)).orderBy(asc(actionSteps.index));
    expect(empty?.view.steps).toEqual(stored.map(({ actionId: _, ...step }) => ({ ...step, continueOnError: step.index === 1 })));
    expect(empty?.view.steps.map((s) => s.name)).toEqual(["Build", "Test", "Lint"]);
    expect(empty?.view.steps[0]?.startedAt).toEqual(new Date("2026-03-01T10:00:00.123Z"));
    expect(empty?.view.steps[2]).toMatchObject({ status: "pending", exitCode: null, startedAt: null, finishedAt: null });

    // Thirty chunks of 4,000 characters: the end that fills a check takes three pages of chunks.
    const chunkChars = 4_000;
    const chunks = Array.from({ length: 30 }, (_, i) => `${String(i).padStart(2, "0")}:`.padEnd(chunkChars - 1, "·") + "\n");
    for (const content of chunks) await database.db.insert(logChunks).values({ actionId, stepIndex: 1, stream: "stdout", content });
    const shown = Math.ceil(checkRunSummaryMaxChars / chunkChars);
    const view = (await loadActionView(database.db, actionId))!.view;
    expect(view.logTail).toBe(chunks.slice(-shown).join(""));
    expect(view.logOmittedChars).toBe((chunks.length - shown) * chunkChars);

    expect(await loadActionView(database.db, randomUUID())).toBeNull();
  });

  it("shows a short log's end exactly as stored: colours, quotes, backslashes, tabs, carriage returns and emoji", async () => {
    const { actionId } = await newAction();
    const chunks = ['\u001b[31merror\u001b[0m: "quoted" C:\\path\\to\tfile\r\n', "progress 50%\rprogress 100% 🎉\n", "{\"json\": [1, 2]} \\u0041 ünïcödé\n"];
    for (const content of chunks) await database.db.insert(logChunks).values({ actionId, stepIndex: 0, stream: "stdout", content });
    const view = (await loadActionView(database.db, actionId))!.view;
    expect(view.logTail).toBe(chunks.join(""));
    expect(view.logOmittedChars).toBe(0);
  });

  it("sends held-back progress once its interval has passed, with no wake-up and a long poll", async () => {
    const { actionId, actionKey } = await newAction();
    const sent: CheckRunFields[] = [];
    const checks: ChecksApi = {
      create: async (_installation, _repository, _sha, fields) => {
        sent.push(fields);
        return { id: fields.external_id === actionId ? 501 : 502 };
      },
      update: async (_installation, _repository, _id, fields) => {
        sent.push(fields);
      },
      find: async () => null,
    };
    const wakeups = inProcessWakeups();
    const reporter = startReporter({ db: database.db, checks, wakeups, log: pino({ level: "silent" }), pollMs: 10 * MINUTE, progressIntervalMs: 1_500 });
    try {
      const ofAction = () => sent.filter((fields) => fields.external_id === actionId);
      await waitFor("the action's check created", () => ofAction().length === 1);
      await database.db.update(actions).set({ status: "running", startedAt: sql`now()` }).where(eq(actions.id, actionId));
      await addRow(actionKey, "in_progress");
      wakeups.notify("checks");
      await waitFor("the check in progress", () => ofAction().some((fields) => fields.status === "in_progress"));
      const before = ofAction().length;

      // Progress right after: held back, and sent when due though nothing wakes the reporter.
      await database.db.insert(logChunks).values({ actionId, stepIndex: 0, stream: "stdout", content: "compiling 42%\n" });
      await addRow(actionKey, "in_progress");
      wakeups.notify("checks");
      await waitFor("the held-back progress sent", () => ofAction().slice(before).some((fields) => fields.output.summary.includes("compiling 42%")), 10_000);
    } finally {
      await reporter.stop();
    }
  });
});
