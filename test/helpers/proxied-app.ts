import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DockerRuntime } from "../../src/execution/docker/docker-runtime.js";
import { startApp, type AppHarness } from "./app-harness.js";
import { isolateGitHub, restoreNetwork } from "./github-api.js";
import { openProxiedDatabase, type ProxiedDatabase } from "./proxied-database.js";

export interface ProxiedApp extends ProxiedDatabase {
  /** The app's webhook endpoint, with no action workers; it reaches the database through the proxy. */
  app: AppHarness;
  stop(): Promise<void>;
}

/**
 * The app taking webhooks (no action workers) over a fresh database reached through a proxy the
 * test can cut; the test reads the database directly. GitHub is isolated until `stop()`.
 */
export async function startProxiedApp(): Promise<ProxiedApp> {
  const database = await openProxiedDatabase();
  const workspaceRoot = await mkdtemp(join(tmpdir(), "automations-proxied-app-"));
  isolateGitHub();
  const app = await startApp({ database: database.proxied, runtime: new DockerRuntime(), workspaceRoot, workerConcurrency: 0 });
  return {
    ...database,
    app,
    async stop() {
      await app.stop();
      restoreNetwork();
      await database.close();
      await rm(workspaceRoot, { recursive: true, force: true });
    },
  };
}
