import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";
import { DockerRuntime } from "../../src/execution/docker/docker-runtime.js";
import { runs } from "../../src/runs/runs.sql.js";
import { startApp, type AppHarness } from "./app-harness.js";
import { createPostgresDatabase, type TestDatabase } from "./database.js";
import { isolateGitHub, restoreNetwork } from "./github-api.js";
import { pullRequestCommentPayload } from "./webhooks.js";

export interface WebhookOnlyApp {
  readonly database: TestDatabase;
  readonly app: AppHarness;
  /** GitHub requests no mock answered: each one is a call the app should not have made. */
  readonly unmatched: string[];
  /** Delivers GitHub's example pull request comment with `body`, and expects the app's 200. */
  comment(body: string, options?: { deliveryId?: string; adjust?: (payload: Record<string, any>) => void }): Promise<void>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Every mock was used, and nothing else was asked of GitHub. */
  expectGitHubSawExactlyTheMocks(): void;
}

/**
 * For a describe block: a fresh PostgreSQL database per file and the app started anew for each
 * test (Probot caches the installation token per app, so each test mocks it at most once), with
 * no worker: what is tested is the webhook's handling, not execution.
 */
export function useWebhookOnlyApp(name: string): WebhookOnlyApp {
  let database: TestDatabase | undefined;
  let workspaceRoot: string | undefined;
  let app: AppHarness | undefined;
  let unmatched: string[] = [];
  const onNoMatch = (request: { method: string; url: string }) => {
    const { hostname } = new URL(request.url);
    if (hostname !== "127.0.0.1" && hostname !== "localhost") unmatched.push(`${request.method} ${request.url}`);
  };

  beforeAll(async () => {
    database = await createPostgresDatabase();
    workspaceRoot = await mkdtemp(join(tmpdir(), `automations-${name}-`));
  });
  afterAll(async () => {
    await database?.destroy();
    if (workspaceRoot) await rm(workspaceRoot, { recursive: true, force: true });
  });
  beforeEach(async () => {
    unmatched = [];
    nock.emitter.on("no match", onNoMatch);
    isolateGitHub();
    app = await startApp({ database: database!, runtime: new DockerRuntime(), workspaceRoot: workspaceRoot!, workerConcurrency: 0 });
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    nock.emitter.removeListener("no match", onNoMatch);
    restoreNetwork();
    await database?.db.delete(runs);
  });

  return {
    get database() {
      if (!database) throw new Error("the database is made in beforeAll");
      return database;
    },
    get app() {
      if (!app) throw new Error("the app is started in beforeEach");
      return app;
    },
    get unmatched() {
      return unmatched;
    },
    async comment(body, options = {}) {
      const payload = pullRequestCommentPayload(body);
      options.adjust?.(payload);
      const response = await app!.deliver("issue_comment", payload, options.deliveryId ?? randomUUID());
      expect(response.status).toBe(200);
    },
    expectGitHubSawExactlyTheMocks() {
      expect(unmatched).toEqual([]);
      expect(nock.pendingMocks()).toEqual([]);
    },
  };
}
