import { createHash } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asc, eq } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresDatabase, type TestDatabase } from "../helpers/database.js";
import { ensureTestImage, shouldSkipDockerTests, TEST_IMAGE } from "../helpers/docker.js";
import { startGitServer, type GitServer } from "../helpers/git-server.js";
import { claimedTestAction } from "../helpers/test-runs.js";
import type { RunningContainer } from "../../src/execution/container-runtime.js";
import { DockerRuntime } from "../../src/execution/docker/docker-runtime.js";
import { executeAction } from "../../src/execution/execute-action.js";
import { createLogWriter } from "../../src/execution/log-writer.js";
import { logChunks } from "../../src/execution/logs.sql.js";
import { actions } from "../../src/runs/runs.sql.js";
import { secretStore } from "../../src/security/secret-store.js";

const skip = await shouldSkipDockerTests();

const TOKEN = "ghs_logBackpressureToken0123456789abcdef";
const SECRET = "backpressure-Secret-Value-0042";

/** The sha256 and length of `seq from to`'s output, built without holding it all at once. */
function seqDigest(from: number, to: number, hash = createHash("sha256")): { hash: typeof hash; length: number } {
  let length = 0;
  for (let start = from; start <= to; start += 100_000) {
    const lines: string[] = [];
    for (let n = start; n <= Math.min(to, start + 99_999); n++) lines.push(`${n}\n`);
    const text = lines.join("");
    hash.update(text);
    length += text.length;
  }
  return { hash, length };
}

// A step printing faster than PostgreSQL stores it: the command is paused rather than its output
// piling up in the app's memory, and nothing is lost or reordered on the way.
describe.skipIf(skip)("log backpressure (PostgreSQL, Docker)", () => {
  let database: TestDatabase;
  let git: GitServer;
  let workspaceRoot: string;
  const runtime = new DockerRuntime();
  const containers: RunningContainer[] = [];

  beforeAll(async () => {
    await ensureTestImage();
    database = await createPostgresDatabase();
    git = await startGitServer({ token: TOKEN });
    workspaceRoot = await mkdtemp(join(tmpdir(), "automations-backpressure-"));
    await chmod(workspaceRoot, 0o777);
  });
  afterAll(async () => {
    await Promise.all(containers.map((container) => container.remove()));
    await git?.close();
    await database?.destroy();
    if (workspaceRoot) await rm(workspaceRoot, { recursive: true, force: true });
  });

  const claimedAction = (definitionLines: string[]) =>
    claimedTestAction(database.db, git, { source: definitionLines.join("\n"), automation: "test", repositoryPrefix: "logs" });

  async function storedLog(actionId: string, stream: string) {
    const chunks = await database.db.select().from(logChunks).where(eq(logChunks.actionId, actionId)).orderBy(asc(logChunks.id));
    const hash = createHash("sha256");
    let length = 0;
    for (const chunk of chunks) {
      if (chunk.stream !== stream) continue;
      hash.update(chunk.content);
      length += chunk.content.length;
    }
    return { sha256: hash.digest("hex"), length };
  }

  it("keeps the writer under its bound while a step prints 27 MB, storing every byte in order", async () => {
    const action = await claimedAction(["container:", `  image: ${TEST_IMAGE}`, "steps:", "  - name: Print", "    run: echo"]);
    const container = await runtime.start({
      image: TEST_IMAGE,
      workspaceDir: workspaceRoot,
      workspaceMount: "/workspace",
      env: {},
      network: "none",
      resources: {},
      labels: { "automations.test-file": "log-backpressure" },
    });
    containers.push(container);
    const highWaterChars = 1024 * 1024;
    const writer = createLogWriter(database.db, action.id, { highWaterChars });
    let peak = 0;
    const last = 3_500_000; // `seq 1 3500000` prints about 27 MB.

    const { exitCode } = await container.exec(
      { command: ["seq", "1", String(last)] },
      (stream, chunk) => {
        writer.write(0, stream, chunk.toString("latin1"));
        peak = Math.max(peak, writer.buffered());
      },
      () => writer.drained(),
    );
    writer.release();
    await writer.flush();

    expect(exitCode).toBe(0);
    const expected = seqDigest(1, last);
    expect(expected.length).toBeGreaterThan(25_000_000);
    expect(await storedLog(action.id, "stdout")).toEqual({ sha256: expected.hash.digest("hex"), length: expected.length });
    // Past the mark, at most the rest of one read of the engine's response still comes in.
    expect(peak).toBeGreaterThanOrEqual(highWaterChars);
    expect(peak).toBeLessThanOrEqual(highWaterChars + 256 * 1024);
    expect(writer.buffered()).toBe(0);
  });

  it("ends a paused command that is killed, even when the output it waits for is never stored", async () => {
    const container = await runtime.start({
      image: TEST_IMAGE,
      workspaceDir: workspaceRoot,
      workspaceMount: "/workspace",
      env: {},
      network: "none",
      resources: {},
      labels: { "automations.test-file": "log-backpressure" },
    });
    containers.push(container);
    let paused!: () => void;
    const pausedOnce = new Promise<void>((resolve) => (paused = resolve));
    const execution = container.exec(
      { command: ["yes"] },
      () => {},
      () => {
        paused();
        // A database that never answers.
        return new Promise<void>(() => {});
      },
    );
    await pausedOnce;
    await container.kill();
    expect(await execution).toEqual({ exitCode: 137 });
  });

  it("stores a fast step's whole output, masked, through to the final flush", async () => {
    const middle = 1_000_000;
    const last = 1_250_000; // about 9 MB
    const action = await claimedAction([
      "container:",
      `  image: ${TEST_IMAGE}`,
      "  network: none",
      "  secrets: [API_TOKEN]",
      "steps:",
      "  - name: Print",
      `    run: seq 1 ${middle}; echo "$API_TOKEN"; seq ${middle + 1} ${last}; echo finished >&2`,
    ]);
    await executeAction(
      {
        db: database.db,
        runtime,
        tokens: { tokenFor: async () => TOKEN },
        secrets: secretStore({ values: { API_TOKEN: SECRET }, fingerprintKey: "fingerprint-key" }),
        publishing: {
          pulls: {
            defaultBranch: async () => "main",
            findOpen: async () => null,
            create: async () => ({ number: 1, url: "https://github.com/acme/logs/pull/1" }),
            update: async (_installation, _repository, number) => ({ number, url: "https://github.com/acme/logs/pull/1" }),
            addLabels: async () => {},
          },
          appSlug: "automations",
          publicUrl: undefined,
        },
        workspaceRoot,
        log: pino({ level: "silent" }),
        onChange: () => {},
      },
      action,
    );

    const [row] = await database.db.select().from(actions).where(eq(actions.id, action.id));
    expect(row).toMatchObject({ status: "done" });
    const { hash, length: before } = seqDigest(1, middle);
    hash.update("***\n");
    const { length: after } = seqDigest(middle + 1, last, hash);
    expect(await storedLog(action.id, "stdout")).toEqual({ sha256: hash.digest("hex"), length: before + 4 + after });
    expect(await storedLog(action.id, "stderr")).toMatchObject({ length: "finished\n".length });
  });
});
