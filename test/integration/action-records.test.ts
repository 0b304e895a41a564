import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeSession } from "../../src/execution/action-records.js";
import { claimNextAction } from "../../src/queue/claim-action.js";
import { actions } from "../../src/runs/runs.sql.js";
import { createPgliteDatabase, createPostgresDatabase, type TestDatabase } from "../helpers/database.js";
import { recordTestRun } from "../helpers/test-runs.js";

// What execution stores on an action, from output the app does not control.

describe.each([
  { kind: "PostgreSQL", create: createPostgresDatabase },
  { kind: "PGlite", create: createPgliteDatabase },
])("an action's records ($kind)", ({ create }) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await create();
  });
  afterAll(async () => {
    await database?.destroy();
  });

  it("stores an agent session holding a NUL byte, with the NUL shown as U+FFFD", async () => {
    await recordTestRun(database.db, {
      source: ["container:", "  image: busybox", "steps:", "  - name: Print", "    run: echo"].join("\n"),
      automation: "records",
      repository: "acme/records",
      headSha: "a".repeat(40),
      deliveryId: randomUUID(),
      targets: [{ repository: "acme/records", repositoryId: 1, cloneUrl: "http://127.0.0.1/acme/records.git", ref: "main", project: null }],
    });
    const action = await claimNextAction(database.db, "records-worker", 60_000);
    expect(action).not.toBeNull();
    const claim = { actionId: action!.id, workerId: "records-worker", attempt: action!.attempts };

    await storeSession(database.db, claim, '{"type":"message","text":"before\u0000after"}\n');

    const [row] = await database.db.select({ session: actions.session }).from(actions).where(eq(actions.id, action!.id));
    expect(row?.session).toBe('{"type":"message","text":"before\uFFFDafter"}\n');
  });
});
