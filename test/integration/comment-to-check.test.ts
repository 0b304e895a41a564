import { describe, expect, it } from "vitest";
import nock from "nock";
import { eq } from "drizzle-orm";
import { createPgliteDatabase, createPostgresDatabase } from "../helpers/database.js";
import { shouldSkipDockerTests, TEST_IMAGE } from "../helpers/docker.js";
import { INSTALLATION_TOKEN, useCommentScenarios } from "../helpers/comment-scenario.js";
import { readdir } from "node:fs/promises";
import { actions, actionSteps, runs } from "../../src/runs/runs.sql.js";
import { logChunks } from "../../src/execution/logs.sql.js";

const skip = await shouldSkipDockerTests();

// PostgreSQL, and PGlite: the embedded default when DATABASE_URL is unset.
const databases = [
  { kind: "PostgreSQL", create: createPostgresDatabase },
  { kind: "PGlite", create: createPgliteDatabase },
];

describe.skipIf(skip).each(databases)("a /automation run comment on a pull request ($kind, Docker)", ({ create }) => {
  const scenarios = useCommentScenarios(create);

  it("runs the steps in a container and shows the check queued, in progress, then successful with the step output", async () => {
    const scenario = await scenarios.start({
      automation: "hello",
      definition: [
        "description: Says hello",
        "container:",
        `  image: ${TEST_IMAGE}`,
        "steps:",
        "  - name: Greet",
        "    run: cat README.md && echo \"repository=$AUTOMATION_REPOSITORY\"",
        "  - name: List",
        "    run: ls",
      ].join("\n"),
    });

    const completed = await scenario.completedCheck();
    const { created, updated } = scenario.checkRuns;

    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({
      name: `automation: hello — ${scenario.repository}`,
      head_sha: scenario.headSha,
    });
    // Queued, in progress, completed, in that order; a phase already past when the reporter
    // first sends (the worker was quicker) is not shown at all.
    const phases = ["queued", "in_progress", "completed"];
    const statuses = [created[0]!.status, ...updated.map((u) => u.status)];
    expect(statuses).toEqual([...statuses].sort((a, b) => phases.indexOf(a) - phases.indexOf(b)));
    expect(statuses.indexOf("completed")).toBe(statuses.length - 1);
    expect(completed.conclusion).toBe("success");
    const summary: string = completed.output.summary;
    expect(summary).toMatch(/\| Greet \| ✅ Passed/);
    expect(summary).toMatch(/\| List \| ✅ Passed/);
    expect(summary).toContain("hello from the repository");
    expect(summary).toContain(`repository=${scenario.repository}`);
    expect(summary).toContain("README.md");

    // The clone used the installation token; GitHub saw every call it expected.
    expect(scenario.git.requests.some((r) => r.authorization !== undefined)).toBe(true);
    expect(nock.pendingMocks()).toEqual([]);

    const [run] = await scenarios.database.db.select().from(runs);
    expect(run).toMatchObject({ automation: "hello", status: "done", definitionPath: ".github/automations/hello.yml" });
    expect(run!.definition.container.image).toBe(TEST_IMAGE);
    expect(run!.definitionSource).toContain("Says hello");
  });

  it("fails at the failing step, names it with its exit code and does not run the steps after it", async () => {
    const scenario = await scenarios.start({
      automation: "breaks",
      definition: [
        "container:",
        `  image: ${TEST_IMAGE}`,
        "steps:",
        "  - name: Prepare",
        "    run: echo preparing",
        "  - name: Break",
        "    run: echo about to fail >&2; exit 3",
        "  - name: Never",
        "    run: echo this-must-not-run",
      ].join("\n"),
    });

    const completed = await scenario.completedCheck();
    expect(completed.conclusion).toBe("failure");
    const summary: string = completed.output.summary;
    expect(completed.output.title).toContain("Break");
    expect(summary).toMatch(/Break.*exit code 3/);
    expect(summary).toContain("about to fail");
    expect(summary).not.toContain("this-must-not-run");
    expect(summary).toMatch(/\| Never \| ⏭️ Skipped/);
    expect(nock.pendingMocks()).toEqual([]);

    const [action] = await scenarios.database.db.select().from(actions);
    const steps = await scenarios.database.db.select().from(actionSteps).where(eq(actionSteps.actionId, action!.id));
    expect(steps.map((s) => [s.name, s.status, s.exitCode])).toEqual([
      ["Prepare", "done", 0],
      ["Break", "failed", 3],
      ["Never", "skipped", null],
    ]);
    // The workspace is gone, and the token never reached what is stored.
    expect(await readdir(scenario.workspaceRoot)).toEqual([]);
    const stored = JSON.stringify([await scenarios.database.db.select().from(runs), await scenarios.database.db.select().from(logChunks)]);
    expect(stored).toContain("about to fail");
    expect(stored).not.toContain(INSTALLATION_TOKEN);
  });
});
