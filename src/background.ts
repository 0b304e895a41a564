import type { Logger } from "pino";
import type { Probot } from "probot";
import type { Db } from "./db/client.js";
import type { AppConfig } from "./config.js";
import type { ContainerRuntime } from "./execution/container-runtime.js";
import { executeAction } from "./execution/execute-action.js";
import { octokitForInstallation } from "./github-app/installation-octokit.js";
import { octokitChecks } from "./github-app/octokit-checks.js";
import { octokitTokens } from "./github-app/octokit-tokens.js";
import { startReporter, type Reporter } from "./reporting/reporter.js";
import { startWorker, type Worker } from "./queue/worker.js";
import { recoverLostActions } from "./queue/recover-lost-actions.js";
import type { Wakeups } from "./queue/wakeups.js";

export interface Background {
  worker: Worker;
  reporter: Reporter;
  stop(): Promise<void>;
}

/** Starts what runs beside the webhook server: the worker that executes actions and the reporter. */
export function startBackground(options: {
  app: Probot;
  db: Db;
  wakeups: Wakeups;
  runtime: ContainerRuntime;
  config: AppConfig;
  log: Logger;
}): Background {
  const { app, db, wakeups, runtime, config, log } = options;
  const octokitFor = octokitForInstallation(app);
  const reporter = startReporter({ db, wakeups, checks: octokitChecks(octokitFor), log: log.child({ name: "reporter" }), pollMs: config.pollMs });
  const worker = startWorker({
    db,
    wakeups,
    workerId: config.workerId,
    concurrency: config.workerConcurrency,
    leaseMs: config.leaseMs,
    pollMs: config.pollMs,
    log: log.child({ name: "worker" }),
    recover: async () => {
      const recovered = await recoverLostActions(db, runtime, log.child({ name: "recovery" }));
      if (recovered.retried.length + recovered.failed.length > 0) {
        wakeups.notify("actions");
        wakeups.notify("checks");
      }
    },
    recoverEveryMs: Math.max(1000, Math.floor(config.leaseMs / 2)),
    execute: (action) =>
      executeAction(
        {
          db,
          runtime,
          tokens: octokitTokens(octokitFor),
          workspaceRoot: config.workspaceRoot,
          log: log.child({ name: "worker" }),
          onChange: () => wakeups.notify("checks"),
        },
        action,
      ),
  });
  return {
    worker,
    reporter,
    async stop() {
      await worker.stop();
      await reporter.drain().catch(() => {});
      await reporter.stop();
    },
  };
}
