import { randomUUID } from "node:crypto";
import { request } from "node:http";
import pino, { type Logger } from "pino";
import { Probot, Server } from "probot";
import { automationsApp } from "../../src/index.js";
import { startBackground, type Background } from "../../src/background.js";
import { inProcessWakeups } from "../../src/queue/wakeups.js";
import type { AppConfig } from "../../src/config.js";
import type { Database } from "../../src/db/client.js";
import type { ContainerRuntime } from "../../src/execution/container-runtime.js";
import { signature } from "./webhooks.js";
import { freePort } from "./free-port.js";
import { deliveryHandled } from "./deliveries.js";

import { APP_ID, privateKey, TestOctokit, WEBHOOK_SECRET } from "./test-app-credentials.js";

export { APP_ID, WEBHOOK_SECRET };


// node:http rather than fetch: nock's fetch interception does not pass local requests through cleanly.
export function post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { ...headers, "content-length": Buffer.byteLength(body) } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.once("error", reject);
    req.end(body);
  });
}

export interface AppHarness {
  url: string;
  background: Background;
  /** Posts a signed webhook to the app's endpoint, as GitHub does, and waits until it was handled (or failed once). */
  deliver(event: string, payload: object, deliveryId?: string): Promise<{ status: number; body: string }>;
  stop(): Promise<void>;
}

/** The app as `npm start` wires it, on a free local port, with the given database and engine. */
export async function startApp(options: {
  database: Database;
  runtime: ContainerRuntime;
  workspaceRoot: string;
  /** The repository cache's directory, as DATA_DIR gives the app one; absent: no cache. */
  repositoryCacheDir?: string;
  workerConcurrency?: number;
  /** Secret values the app is configured with (AUTOMATION_SECRET_<NAME> in production). */
  secrets?: AppConfig["secrets"];
  /** Where the app logs; silent unless TEST_LOG_LEVEL says otherwise. */
  log?: Logger;
}): Promise<AppHarness> {
  const port = await freePort();
  const log = options.log ?? pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
  const config: AppConfig = {
    databaseUrl: undefined,
    dataDir: options.workspaceRoot,
    workspaceRoot: options.workspaceRoot,
    repositoryCacheDir: options.repositoryCacheDir,
    workerConcurrency: options.workerConcurrency ?? 1,
    publicUrl: undefined,
    workerId: `test-${randomUUID()}`,
    leaseMs: 30_000,
    pollMs: 200,
    secrets: options.secrets,
  };
  const wakeups = inProcessWakeups();
  let background: Background | undefined;
  const server = new Server({
    host: "127.0.0.1",
    port,
    log,
    Probot: Probot.defaults({ appId: APP_ID, privateKey, secret: WEBHOOK_SECRET, Octokit: TestOctokit, log }),
  });
  await server.load(
    automationsApp({
      db: options.database.db,
      wakeups,
      onLoad: (app, deliveryHandlers, ingress) => {
        background = startBackground({ app, db: options.database.db, wakeups, runtime: options.runtime, config, log, deliveryHandlers, ingress });
      },
    }),
  );
  await server.start();
  if (!background) throw new Error("the app did not start its background work");
  const started = background;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    background: started,
    async deliver(event, payload, deliveryId = randomUUID()) {
      const body = JSON.stringify(payload);
      const response = await post(`${url}/api/github/webhooks`, body, {
        "content-type": "application/json",
        "x-github-event": event,
        "x-github-delivery": deliveryId,
        "x-hub-signature-256": signature(WEBHOOK_SECRET, body),
      });
      // The endpoint only stores the delivery; tests look at what its handling did.
      if (response.status === 200) await deliveryHandled(options.database.db, deliveryId);
      return response;
    },
    async stop() {
      await started.stop();
      await server.stop();
    },
  };
}
