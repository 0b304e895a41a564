import { randomUUID } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asc, eq } from "drizzle-orm";
import Docker from "dockerode";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresDatabase, type TestDatabase } from "../helpers/database.js";
import { AGENT_IMAGE, ensureAgentImage, shouldSkipDockerTests, TEST_IMAGE } from "../helpers/docker.js";
import { startGitServer, type GitServer } from "../helpers/git-server.js";
import { claimedTestAction } from "../helpers/test-runs.js";
import { DockerRuntime } from "../../src/execution/docker/docker-runtime.js";
import { executeAction } from "../../src/execution/execute-action.js";
import { ACTION_LABEL } from "../../src/execution/container-labels.js";
import { logChunks } from "../../src/execution/logs.sql.js";
import type { PullRequestsApi } from "../../src/execution/pull-requests-api.js";
import { loadActionView } from "../../src/reporting/load-action-view.js";
import { loadRunSummary } from "../../src/reporting/load-run-summary.js";
import { renderActionCheck } from "../../src/reporting/render-action-check.js";
import { renderSession } from "../../src/reporting/render-session.js";
import { actions, actionSteps, runs } from "../../src/runs/runs.sql.js";
import { secretStore } from "../../src/security/secret-store.js";

const skip = await shouldSkipDockerTests();

const TOKEN = "ghs_executionTestToken0123456789abcdef";
const SECRET = "hunter2-Secret-Value-0042";
const UNLISTED = "unlisted-secret-value-77";
const base64 = (text: string) => Buffer.from(text).toString("base64");

// One action at a time, from comment to finished row: a real database, Docker and git server;
// GitHub's pull-request API is the only stand-in.
describe.skipIf(skip)("executing an action (PostgreSQL, Docker)", () => {
  let database: TestDatabase;
  let git: GitServer;
  let workspaceRoot: string;
  const runtime = new DockerRuntime();
  const opened: Array<{ repository: string; head: string }> = [];
  const pulls: PullRequestsApi = {
    defaultBranch: async () => "main",
    findOpen: async () => null,
    create: async (_installation, repository, pullRequest) => {
      opened.push({ repository, head: pullRequest.head });
      return { number: 7, url: `https://github.com/${repository}/pull/7` };
    },
    update: async (_installation, repository, number) => ({ number, url: `https://github.com/${repository}/pull/${number}` }),
    addLabels: async () => {},
  };
  const secrets = secretStore({ values: { API_TOKEN: SECRET, OTHER_SECRET: UNLISTED }, fingerprintKey: "fingerprint-key" });

  beforeAll(async () => {
    await ensureAgentImage();
    database = await createPostgresDatabase();
    git = await startGitServer({ token: TOKEN });
    workspaceRoot = await mkdtemp(join(tmpdir(), "automations-exec-"));
  });
  afterAll(async () => {
    await git?.close();
    await database?.destroy();
    if (workspaceRoot) await rm(workspaceRoot, { recursive: true, force: true });
  });

  /** Creates a run of `definition` on a fresh repository, executes its one action, returns its rows. */
  async function execute(
    definitionLines: string[],
    files: Record<string, string> = { "README.md": "hello\n" },
    options: { repositoryCacheDir?: string } = {},
  ) {
    const claimed = await claimedTestAction(database.db, git, { source: definitionLines.join("\n"), automation: "test", repositoryPrefix: "app", files });
    const { runId, repository } = claimed;
    await executeAction(
      {
        db: database.db,
        runtime,
        tokens: { tokenFor: async () => TOKEN },
        secrets,
        publishing: { pulls, appSlug: "automations", publicUrl: undefined },
        workspaceRoot,
        repositoryCacheDir: options.repositoryCacheDir,
        log: pino({ level: "silent" }),
        onChange: () => {},
      },
      claimed,
    );
    const [action] = await database.db.select().from(actions).where(eq(actions.id, claimed.id));
    const [run] = await database.db.select().from(runs).where(eq(runs.id, runId));
    const steps = await database.db.select().from(actionSteps).where(eq(actionSteps.actionId, claimed.id)).orderBy(asc(actionSteps.index));
    const chunks = await database.db.select().from(logChunks).where(eq(logChunks.actionId, claimed.id)).orderBy(asc(logChunks.id));
    const log = (stream?: string) => chunks.filter((c) => stream === undefined || c.stream === stream).map((c) => c.content).join("");
    return { action: action!, run: run!, steps, chunks, log, repository };
  }

  it("never stores or shows a secret: raw, base64, split across output chunks, in the error line or the check", async () => {
    const { action, run, steps, chunks, log } = await execute([
      "container:",
      `  image: ${TEST_IMAGE}`,
      "  network: none",
      "  secrets: [API_TOKEN]",
      "steps:",
      "  - name: Print secrets",
      "    run: |",
      '      echo "raw $API_TOKEN"',
      '      echo "uid=$(id -u)"',
      '      echo "other=${OTHER_SECRET:-unset}"',
      '      printf %s "$API_TOKEN" | base64',
      '      printf "x%s" "$API_TOKEN" | base64',
      '      echo "on stderr $API_TOKEN" >&2',
      '      printf "split %s" "$(printf %s "$API_TOKEN" | cut -c1-9)"',
      "      sleep 0.3",
      '      printf "%s end\\n" "$(printf %s "$API_TOKEN" | cut -c10-)"',
      // The engine copies stdout and stderr apart; a pause keeps their order certain.
      "      sleep 0.2",
      '      echo "failing with $API_TOKEN" >&2',
      "      exit 3",
    ]);

    expect(action.status).toBe("failed");
    expect(action.reason).toBe('step "Print secrets" failed with exit code 3');
    expect(action.errorLine).toBe("failing with ***");
    const stdout = log("stdout");
    expect(stdout).toContain("raw ***\n");
    expect(stdout).toContain("split *** end\n");
    // Its base64, alone and inside longer base64 (only the characters that mix in a neighbour's bits stay).
    expect(stdout).toMatch(/^\*\*\*\n[A-Za-z0-9+/]{0,3}\*\*\*[A-Za-z0-9+/=]{0,4}\n/m);
    expect(stdout).toMatch(/^uid=[1-9]\d*$/m);
    // Only listed secrets reach the container.
    expect(stdout).toContain("other=unset\n");
    expect(log("stderr")).toContain("on stderr ***\n");

    // Nothing stored anywhere holds the value, or its base64.
    const stored = JSON.stringify({ action, run, steps, chunks });
    for (const form of [SECRET, base64(SECRET), base64(`x${SECRET}`).slice(2, -4)]) {
      expect(stored).not.toContain(form);
    }
    // The run records which value was used without the value.
    expect(run.secretFingerprints).toEqual({ API_TOKEN: expect.stringMatching(/^hmac-sha256:[0-9a-f]{64}$/) });

    // The check, rendered from what is stored.
    const state = await loadActionView(database.db, action.id);
    const check = renderActionCheck(state!.view);
    expect(check.summary).toContain("failing with ***");
    expect(check.summary).not.toContain(SECRET);
    expect(check.summary).not.toContain(base64(SECRET));
  });

  it("runs an agent step: prompt in, checkout edited, session stored masked and readable, no agent files committed", async () => {
    const { action, log, repository } = await execute([
      "container:",
      `  image: ${AGENT_IMAGE}`,
      "  secrets: [API_TOKEN]",
      "steps:",
      "  - name: Agent",
      "    agent:",
      "      command: automation-agent",
      "      prompt: |",
      "        Add a note about the agent.",
      "        $ echo token is $API_TOKEN",
      "        $ ls -a",
      "pull_request:",
      "  branch: automation/agent",
    ]);

    expect(action.status).toBe("done");
    expect(log("stdout")).toContain("edited AGENT_NOTES.md\n");
    const session = action.session ?? "";
    expect(session).toContain('"type":"tool_call","name":"append_file"');
    expect(session).toContain("token is ***");
    expect(session).not.toContain(SECRET);

    const rendered = renderSession(session);
    expect(rendered).toContain("**user**");
    expect(rendered).toContain("**tool call** `sh`");
    expect(rendered).toContain("**tool result** `append_file`");
    expect(rendered).toContain("token is ***");
    // The checkout the agent listed holds no prompt or session file.
    expect(rendered).not.toMatch(/prompt\.md|session\.jsonl/);

    expect(opened).toContainEqual({ repository, head: "automation/agent" });
    expect(await git.fileAt(repository, "automation/agent", "AGENT_NOTES.md")).toBe("Add a note about the agent.");
    await expect(git.fileAt(repository, "automation/agent", "prompt.md")).rejects.toThrow();
    expect(await readdir(workspaceRoot)).toEqual([]);
  });

  it("clones through the repository cache and compares with it: the commit fetched once, nothing left behind", async () => {
    const repositoryCacheDir = await mkdtemp(join(tmpdir(), "automations-exec-cache-"));
    try {
      const before = git.requests.length;
      const { action, repository } = await execute(
        [
          "container:",
          `  image: ${TEST_IMAGE}`,
          "steps:",
          "  - name: Edit",
          // The checkout holds its objects itself: nothing in it points at the host's cache.
          "    run: test ! -e .git/objects/info/alternates && echo changed > CHANGED.md",
          "pull_request:",
          "  branch: automation/cached",
        ],
        { "README.md": "hello\n" },
        { repositoryCacheDir },
      );

      expect(action.status).toBe("done");
      expect(action.reason).toBe("pull request #7 opened");
      expect(await git.fileAt(repository, "automation/cached", "CHANGED.md")).toBe("changed");
      const fetches = git.requests.slice(before).filter((r) => r.path.startsWith(`/${repository}.git/`) && r.path.endsWith("/git-upload-pack"));
      // One fills the cache, one is the push's negotiation; the change detection reads the cache.
      expect(fetches).toHaveLength(2);
      expect(await readdir(workspaceRoot)).toEqual([]);
    } finally {
      await rm(repositoryCacheDir, { recursive: true, force: true });
    }
  });

  it("runs the steps in one container: what a step leaves outside the checkout is there for the next, the last one included", async () => {
    const { action, steps, log } = await execute([
      "container:",
      `  image: ${TEST_IMAGE}`,
      "  network: none",
      "steps:",
      "  - name: Prepare",
      "    run: echo prepared > /tmp/state; echo \"pid $$\"",
      "  - name: Allowed to fail",
      "    continue_on_error: true",
      "    run: exit 5",
      "  - name: Last",
      "    env: { ONLY_LAST: last-step }",
      "    run: |",
      "      cat /tmp/state",
      '      echo "$ONLY_LAST in $(pwd)"',
      '      echo "stdin: $(cat)"',
    ]);

    expect(action.status).toBe("done");
    expect(steps.map((step) => [step.status, step.exitCode])).toEqual([["done", 0], ["failed", 5], ["done", 0]]);
    expect(log("stdout")).toMatch(/^pid \d+\nprepared\nlast-step in \/workspace\nstdin: \n$/);
  });

  it("reports the step that failed the action, not an earlier one allowed to fail, on its check and its run's summary", async () => {
    const { action } = await execute([
      "container:",
      `  image: ${TEST_IMAGE}`,
      "  network: none",
      "steps:",
      "  - name: Lint",
      "    continue_on_error: true",
      "    run: exit 3",
      "  - name: Test",
      "    run: exit 4",
      "  - name: Deploy",
      "    run: echo never",
    ]);

    expect(action.status).toBe("failed");
    const state = await loadActionView(database.db, action.id);
    const check = renderActionCheck(state!.view);
    expect(check.title).toBe('Step "Test" failed with exit code 4');
    expect(check.summary).toContain("**Failed step:** Test (step 2 of 3) — exit code 4");
    const summary = await loadRunSummary(database.db, action.runId);
    expect(summary!.input.actions.map((a) => a.failedStep)).toEqual([{ index: 1, name: "Test", exitCode: 4, reason: null }]);
  });

  it("ends a last step past its time limit and removes its container", async () => {
    const { action, steps } = await execute([
      "container:",
      `  image: ${TEST_IMAGE}`,
      "  network: none",
      "steps:",
      "  - name: First",
      "    run: echo first",
      "  - name: Too slow",
      "    timeout: 1s",
      "    run: sleep 30",
    ]);

    expect(action.status).toBe("failed");
    expect(action.reason).toBe('step "Too slow" timed out after 1.0s');
    expect(steps.map((step) => step.status)).toEqual(["done", "failed"]);
    const left = await new Docker().listContainers({ all: true, filters: { label: [`${ACTION_LABEL}=${action.id}`] } });
    expect(left).toEqual([]);
  });

  it("fails a step killed for exceeding the memory limit with the reason and the limit", async () => {
    const { action, steps } = await execute([
      "container:",
      `  image: ${TEST_IMAGE}`,
      "  network: none",
      "  resources:",
      "    memory: 16m",
      "steps:",
      "  - name: Allocate",
      "    run: echo allocating; awk 'BEGIN { s = \"xxxxxxxx\"; while (1) s = s s }'",
    ]);

    expect(action.status).toBe("failed");
    expect(action.reason).toBe('step "Allocate": out of memory (limit 16 MiB)');
    expect(steps[0]).toMatchObject({ status: "failed", exitCode: 137, reason: "out of memory (limit 16 MiB)" });
    expect(action.errorLine).toBe("allocating");
  });

  it("fails an action whose listed secret has no value, naming it and where to set it", async () => {
    const { action, log } = await execute([
      "container:",
      `  image: ${TEST_IMAGE}`,
      "  secrets: [API_TOKEN, DEPLOY_KEY]",
      "steps:",
      "  - name: Never runs",
      "    run: echo never",
    ]);

    expect(action.status).toBe("failed");
    expect(action.reason).toBe(
      "secret DEPLOY_KEY has no value: set AUTOMATION_SECRET_DEPLOY_KEY where the app runs (or a SECRETS_FILE with that name)",
    );
    expect(action.errorLine).toBe(action.reason);
    expect(log()).not.toContain("never\n");
  });

  it("fails an action whose image is missing and cannot be pulled, naming the image, with the pull in the log", async () => {
    const image = `automations-test:absent-${randomUUID().slice(0, 8)}`;
    const { action, log } = await execute(["container:", `  image: ${image}`, "steps:", "  - name: Never runs", "    run: echo never"]);

    expect(action.status).toBe("failed");
    expect(action.reason).toContain(`Image "${image}" is not present`);
    expect(action.reason).toContain("pulling it failed");
    expect(log("system")).toContain(`Image ${image} is not on the engine; pulling it\n`);
    expect(action.errorLine).toContain(`Image "${image}" is not present`);
  });
});
