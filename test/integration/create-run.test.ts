import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asc, count, eq } from "drizzle-orm";
import { createPgliteDatabase, createPostgresDatabase, type TestDatabase } from "../helpers/database.js";
import { createRun, type NewRun } from "../../src/runs/create-run.js";
import { actions, actionSteps, runs } from "../../src/runs/runs.sql.js";
import { checkOutbox } from "../../src/reporting/outbox.sql.js";
import { parseDefinition } from "../../src/automations/parse-definition.js";

// A run over many targets is recorded whole: every action, every step and every queued check,
// more rows than one statement could bind as parameters (PostgreSQL allows 65,535 values).

// PGlite, the embedded default, with a smaller run: the same statements, a slower engine.
const databases = [
  { kind: "PostgreSQL", create: createPostgresDatabase, targetCount: 1_500, stepCount: 45 },
  { kind: "PGlite", create: createPgliteDatabase, targetCount: 400, stepCount: 5 },
];

describe.each(databases)("recording a run over many targets ($kind)", ({ create, targetCount, stepCount }) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await create();
  });
  afterAll(async () => {
    await database?.destroy();
  });

  function bigRun(deliveryId: string, targetCount: number, stepCount: number): NewRun {
    const source = ["container:", "  image: busybox", "steps:", ...Array.from({ length: stepCount }, (_, i) => `  - name: Step ${i}\n    run: echo ${i}`)].join("\n");
    const parsed = parseDefinition(source, ".github/automations/wide.yml");
    if (!parsed.ok) throw new Error("test definition invalid");
    return {
      automation: "wide",
      installationId: 1,
      repository: "acme/app",
      repositoryId: 1,
      headSha: "a".repeat(40),
      trigger: { kind: "comment", commentId: 1, issueNumber: 1, isPullRequest: true, sender: "someone" },
      deliveryId,
      commandIndex: 0,
      definition: parsed.definition,
      definitionSource: source,
      definitionPath: ".github/automations/wide.yml",
      definitionSha: "b".repeat(40),
      definitionRepository: "acme/app",
      targets: Array.from({ length: targetCount }, (_, i) => ({
        repository: `acme/service-${i}`,
        repositoryId: 1000 + i,
        cloneUrl: `https://github.example.com/acme/service-${i}.git`,
        ref: "c".repeat(40),
        project: i % 2 === 0 ? null : `packages/p${i}`,
      })),
      skippedTargets: [{ target: "acme/legacy", reason: "archived" }],
    };
  }

  it(`records ${targetCount} targets of ${stepCount} steps each with every action, step and queued check, in target order`, async () => {
    const input = bigRun("many-targets", targetCount, stepCount);
    const { runId, created } = await createRun(database.db, input);
    expect(created).toBe(true);

    const recorded = await database.db.select().from(actions).where(eq(actions.runId, runId)).orderBy(asc(actions.position));
    expect(recorded).toHaveLength(targetCount);
    expect(recorded.map((a) => a.repository)).toEqual(input.targets.map((t) => t.repository));
    expect(recorded[1]).toMatchObject({ project: "packages/p1", cloneUrl: "https://github.example.com/acme/service-1.git", status: "pending" });
    const [steps] = await database.db.select({ n: count() }).from(actionSteps).innerJoin(actions, eq(actions.id, actionSteps.actionId)).where(eq(actions.runId, runId));
    expect(steps?.n).toBe(targetCount * stepCount);
    const queued = await database.db.select({ actionId: checkOutbox.actionId }).from(checkOutbox).where(eq(checkOutbox.runId, runId)).orderBy(asc(checkOutbox.id));
    expect(queued.filter((row) => row.actionId !== null).map((row) => row.actionId)).toEqual(recorded.map((a) => a.id));
    const [run] = await database.db.select().from(runs).where(eq(runs.id, runId));
    expect(run?.skippedTargets).toEqual([{ target: "acme/legacy", reason: "archived" }]);
  });

  it("leaves nothing behind when recording fails part way", async () => {
    const input = bigRun("fails-part-way", 1_200, 2);
    // A step name PostgreSQL refuses (a NUL byte) fails the last chunk of steps, after the actions were inserted.
    input.definition = { ...input.definition, steps: [...input.definition.steps.slice(0, 1), { ...input.definition.steps[1]!, name: "bad\u0000name" }] };
    await expect(createRun(database.db, input)).rejects.toThrow();
    expect(await database.db.select().from(runs).where(eq(runs.deliveryId, "fails-part-way"))).toEqual([]);
    const [left] = await database.db.select({ n: count() }).from(actions).innerJoin(runs, eq(runs.id, actions.runId)).where(eq(runs.deliveryId, "fails-part-way"));
    expect(left?.n).toBe(0);
  });
});
