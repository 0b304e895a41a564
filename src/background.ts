import type { Logger } from "pino";
import type { Probot } from "probot";
import type { Db } from "./db/client.js";
import type { AppConfig } from "./config.js";
import type { ContainerRuntime } from "./execution/container-runtime.js";
import { executeAction } from "./execution/execute-action.js";
import { secretStore } from "./security/secret-store.js";
import { octokitForInstallation } from "./github-app/installation-octokit.js";
import { octokitChecks } from "./github-app/octokit-checks.js";
import { octokitTokens } from "./github-app/octokit-tokens.js";
import { octokitPulls } from "./github-app/octokit-pulls.js";
import { DEFAULT_APP_SLUG } from "./execution/publish-action-changes.js";
import { startReporter, type Reporter } from "./reporting/reporter.js";
import { startWorker, type Worker } from "./queue/worker.js";
import { recoverLostActions } from "./queue/recover-lost-actions.js";
import type { Wakeups } from "./queue/wakeups.js";
import { startDeliveryProcessor, type DeliveryHandler, type DeliveryProcessor } from "./ingress/delivery-processor.js";
import { sweepRepositoryCache } from "./execution/repository-mirror.js";
import { clearLeftWorkspaces } from "./execution/sweep-workspaces.js";
import type { IngressLoad } from "./ingress/delivery-writer.js";

const NO_SECRETS = secretStore({ values: {} });
const CACHE_SWEEP_EVERY_MS = 6 * 60 * 60 * 1000;

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
  /** Handlers of stored webhooks, by `event.action`. */
  deliveryHandlers: ReadonlyMap<string, DeliveryHandler>;
  /** The webhook endpoint's load, which the handling of stored webhooks gives way to. */
  ingress?: IngressLoad;
}): Background {
  const { app, db, wakeups, runtime, config, log } = options;
  // Every replica handles webhooks, whether or not it executes actions.
  const deliveries: DeliveryProcessor = startDeliveryProcessor({
    db,
    wakeups,
    workerId: config.workerId,
    log: log.child({ name: "webhooks" }),
    handlers: options.deliveryHandlers,
    leaseMs: config.leaseMs,
    pollMs: config.pollMs,
    ingress: options.ingress,
  });
  const octokitFor = octokitForInstallation(app);
  const reporter = startReporter({
    db,
    wakeups,
    checks: octokitChecks(octokitFor),
    log: log.child({ name: "reporter" }),
    pollMs: config.pollMs,
    publicUrl: config.publicUrl,
  });
  const worker = startWorker({
    db,
    wakeups,
    workerId: config.workerId,
    concurrency: config.workerConcurrency,
    limits: { perInstallation: config.installationConcurrency ?? 0 },
    shutdownGraceMs: config.shutdownGraceMs,
    leaseMs: config.leaseMs,
    pollMs: config.pollMs,
    log: log.child({ name: "worker" }),
    recover: async () => {
      const recovered = await recoverLostActions(db, runtime, log.child({ name: "recovery" }));
      if (recovered.retried.length + recovered.failed.length + recovered.stopped.length > 0) {
        wakeups.notify("actions");
        wakeups.notify("checks");
      }
    },
    recoverEveryMs: Math.max(1000, Math.floor(config.leaseMs / 2)),
    prepare: () => clearLeftWorkspaces(db, config.workspaceRoot, log),
    execute: (action, signal) =>
      executeAction(
        {
          db,
          runtime,
          tokens: octokitTokens(octokitFor),
          secrets: config.secrets ?? NO_SECRETS,
          publishing: { pulls: octokitPulls(octokitFor), appSlug: config.appSlug ?? DEFAULT_APP_SLUG, publicUrl: config.publicUrl },
          workspaceRoot: config.workspaceRoot,
          repositoryCacheDir: config.repositoryCacheDir,
          log: log.child({ name: "worker" }),
          onChange: () => wakeups.notify("checks"),
        },
        action,
        signal,
      ),
  });
  // Caches of repositories no action used for a week go, so the disk holds what is in use.
  const cacheDir = config.repositoryCacheDir;
  const sweepCache = () => {
    if (!cacheDir || config.workerConcurrency === 0) return;
    sweepRepositoryCache(cacheDir)
      .then((removed) => {
        if (removed.length > 0) log.info({ removed: removed.length }, "removed repository caches no action used for a week");
      })
      .catch((err: unknown) => log.warn({ err, cacheDir }, "could not sweep the repository cache; will try again later"));
  };
  sweepCache();
  const cacheSweep = setInterval(sweepCache, CACHE_SWEEP_EVERY_MS);
  cacheSweep.unref();
  return {
    worker,
    reporter,
    async stop() {
      clearInterval(cacheSweep);
      await deliveries.stop();
      await worker.stop();
      await reporter.drain().catch(() => {});
      await reporter.stop();
    },
  };
}
