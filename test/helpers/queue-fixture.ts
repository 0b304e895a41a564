import type { Logger } from "pino";
import type { Db } from "../../src/db/client.js";
import type { ContainerRuntime } from "../../src/execution/container-runtime.js";
import type { ExecutionDeps } from "../../src/execution/execute-action.js";
import type { PullRequestsApi } from "../../src/execution/pull-requests-api.js";
import { recordTestRun } from "./test-runs.js";
import { secretStore } from "../../src/security/secret-store.js";
import { TEST_IMAGE } from "./docker.js";

// Runs and execution dependencies for queue tests: actions that clone a repository from the
// local git server and run short steps in the tiny test image; GitHub is never called.

export const QUEUE_TOKEN = "ghs_queueTestsToken0123456789";

/** A run of `targets` actions of `cloneUrl`, each running `steps` (shell lines) in the test image. */
export async function createQueueRun(
  db: Db,
  options: {
    deliveryId: string;
    cloneUrl: string;
    targets: number;
    steps: string[];
    installationId?: number;
    concurrency?: number;
    /** The container's image; the tiny test image when absent. */
    image?: string;
  },
): Promise<string> {
  const source = [
    "container:",
    `  image: ${options.image ?? TEST_IMAGE}`,
    "  network: none",
    ...(options.concurrency !== undefined ? [`concurrency: ${options.concurrency}`] : []),
    "steps:",
    ...options.steps.flatMap((run, i) => [`  - name: Step ${i + 1}`, `    run: ${JSON.stringify(run)}`]),
  ].join("\n");
  return recordTestRun(db, {
    source,
    automation: "queue",
    repository: "acme/app",
    headSha: "a".repeat(40),
    deliveryId: options.deliveryId,
    installationId: options.installationId,
    targets: Array.from({ length: options.targets }, (_, i) => ({
      repository: `acme/app-${i}`,
      repositoryId: 1000 + i,
      cloneUrl: options.cloneUrl,
      ref: "main",
      project: null,
    })),
  });
}

/** Pull requests are never opened by these actions (their steps change nothing). */
const noPullRequests: PullRequestsApi = new Proxy({} as PullRequestsApi, {
  get: (_target, name) => () => Promise.reject(new Error(`queue tests open no pull requests (called ${String(name)})`)),
});

export function queueExecutionDeps(options: { db: Db; runtime: ContainerRuntime; workspaceRoot: string; log: Logger; onChange?: () => void }): ExecutionDeps {
  return {
    db: options.db,
    runtime: options.runtime,
    tokens: { tokenFor: () => Promise.resolve(QUEUE_TOKEN) },
    secrets: secretStore({ values: {} }),
    publishing: { pulls: noPullRequests, appSlug: "automations", publicUrl: undefined },
    workspaceRoot: options.workspaceRoot,
    log: options.log,
    onChange: options.onChange ?? (() => {}),
  };
}
