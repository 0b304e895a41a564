import { randomUUID } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPgliteDatabase, createPostgresDatabase, type TestDatabase } from "../helpers/database.js";
import { recordTestRun } from "../helpers/test-runs.js";
import { waitFor } from "../helpers/wait-for.js";
import { createLogWriter, SYSTEM_STEP } from "../../src/execution/log-writer.js";
import { logChunks } from "../../src/execution/logs.sql.js";
import { actions } from "../../src/runs/runs.sql.js";
import { createMasker } from "../../src/security/mask-secrets.js";

// The log writer against a real database, on both engines the app runs on: what a step prints is
// stored whole, in order and masked, while the step runs, whatever the chunks it arrives in.

const SECRET = "writer-Secret-Value-0042";

describe.each([
  { kind: "PostgreSQL", create: createPostgresDatabase },
  { kind: "PGlite", create: createPgliteDatabase },
])("log writer ($kind)", ({ create }) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await create();
  });
  afterAll(async () => {
    await database?.destroy();
  });

  async function newAction(): Promise<string> {
    const runId = await recordTestRun(database.db, {
      source: ["container:", "  image: busybox", "steps:", "  - name: Print", "    run: echo"].join("\n"),
      automation: "logs",
      repository: "acme/logs",
      headSha: "a".repeat(40),
      deliveryId: randomUUID(),
      targets: [{ repository: "acme/logs", repositoryId: 1, cloneUrl: "http://127.0.0.1/acme/logs.git", ref: "main", project: null }],
    });
    const [action] = await database.db.select({ id: actions.id }).from(actions).where(eq(actions.runId, runId));
    return action!.id;
  }

  const stored = (actionId: string) =>
    database.db
      .select({ stepIndex: logChunks.stepIndex, stream: logChunks.stream, content: logChunks.content })
      .from(logChunks)
      .where(eq(logChunks.actionId, actionId))
      .orderBy(asc(logChunks.id));

  const joined = async (actionId: string, stream: string) =>
    (await stored(actionId)).filter((c) => c.stream === stream).map((c) => c.content).join("");

  it("stores a little output while the step runs, without waiting for more or for the step's end", async () => {
    const actionId = await newAction();
    const writer = createLogWriter(database.db, actionId, { flushMs: 50 });
    writer.write(0, "stdout", "Installing dependencies…\n");
    expect(await waitFor("the line to be stored", async () => (await joined(actionId, "stdout")) || false, 10_000)).toBe("Installing dependencies…\n");
    await writer.flush();
  });

  it("stores a long output whole and in order, in chunks of bounded size, stdout and stderr apart", async () => {
    const actionId = await newAction();
    const maxBufferChars = 4_096;
    const writer = createLogWriter(database.db, actionId, { maxBufferChars, maxInsertChars: 16_384 });
    let expectedOut = "";
    let expectedErr = "";
    for (let n = 0; n < 3_000; n++) {
      const line = `line ${n} ${"·".repeat(n % 40)}\n`;
      // Cut anywhere, as pipes cut output.
      writer.write(1, "stdout", line.slice(0, 5));
      writer.write(1, "stdout", line.slice(5));
      expectedOut += line;
      if (n % 100 === 0) {
        writer.write(1, "stderr", `warning ${n}\n`);
        expectedErr += `warning ${n}\n`;
      }
      await writer.drained();
    }
    writer.release();
    await writer.flush();

    expect(writer.buffered()).toBe(0);
    expect(await joined(actionId, "stdout")).toBe(expectedOut);
    expect(await joined(actionId, "stderr")).toBe(expectedErr);
    const chunks = await stored(actionId);
    // A chunk is closed once it reaches the bound, so it ends at most one write past it.
    expect(Math.max(...chunks.map((c) => c.content.length))).toBeLessThanOrEqual(maxBufferChars + 100);
    expect(chunks.every((c) => c.stepIndex === 1)).toBe(true);
    expect(writer.lastLine(1)).toBe(`line 2999 ${"·".repeat(2999 % 40)}`);
  });

  it("masks a secret split across writes and streams, and stores a NUL byte as a replacement character instead of failing", async () => {
    const actionId = await newAction();
    const writer = createLogWriter(database.db, actionId, { masker: createMasker([SECRET]), maxBufferChars: 16 });
    const text = `token: ${SECRET}\nbinary: a\u0000b\n`;
    for (const character of text) {
      writer.write(0, "stdout", character);
      writer.write(0, "stderr", ".");
    }
    writer.write(SYSTEM_STEP, "system", `Error: ${SECRET} refused\n`);
    writer.release();
    await writer.flush();

    expect(await joined(actionId, "stdout")).toBe("token: ***\nbinary: a\uFFFDb\n");
    expect(await joined(actionId, "system")).toBe("Error: *** refused\n");
    expect((await stored(actionId)).map((c) => c.content).join("")).not.toContain(SECRET.slice(0, 12));
  });
});
