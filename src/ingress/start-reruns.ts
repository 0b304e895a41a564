import type { Logger } from "pino";
import type { Db } from "../db/client.js";
import type { InstallationOctokit } from "../github-app/installation-octokit.js";
import type { Wakeups } from "../queue/wakeups.js";
import { startRerun, type RerunRequest } from "../runs/rerun.js";
import { createRefusedRerunCheck } from "../runs/refused-rerun-check.js";
import type { ButtonTrigger } from "../runs/run-trigger.js";
import { writeAccessChecker } from "../commands/authorize.js";

export interface CheckEventContext {
  octokit: InstallationOctokit;
  log: Logger;
  deliveryId: string;
  defaultBranch: string;
  sender: string;
}

/**
 * Starts each re-run of a check event and wakes the workers once. One not started is answered
 * where the button was pressed, as there is no comment to reply to: a neutral check run on the
 * commit says why and what to do (and the log, with the delivery id). A GitHub failure is thrown
 * after the others were tried, so the delivery is handled again; the runs already recorded for it
 * are not made twice.
 */
export async function startReruns(
  deps: { db: Db; wakeups: Wakeups },
  ctx: CheckEventContext,
  requests: Array<RerunRequest & { trigger: ButtonTrigger }>,
): Promise<void> {
  let started = false;
  let failure: unknown = null;
  const writeAccess = writeAccessChecker(ctx.octokit, ctx.sender);
  for (const request of requests) {
    const log = ctx.log.child({ automation: request.source.automation, rerunOf: request.source.runId });
    try {
      const outcome = await startRerun(deps.db, { ...ctx, log, writeAccess }, request);
      if (outcome.kind === "ignored") {
        log.info({ reason: outcome.reason }, `${request.trigger.kind} not started: ${outcome.reason}`);
        if (!outcome.reported) {
          await createRefusedRerunCheck({ octokit: ctx.octokit, log }, request.source, { trigger: request.trigger, reason: outcome.reason, advice: outcome.advice });
        }
        continue;
      }
      if (outcome.created) started = true;
      log.info(
        { runId: outcome.runId, created: outcome.created, skipped: outcome.skipped },
        outcome.created ? `${request.trigger.kind} run created` : "run already recorded for this delivery",
      );
    } catch (err) {
      log.error({ err }, `could not start the ${request.trigger.kind} run; the delivery will fail so that it is handled again`);
      failure ??= err;
    }
  }
  if (started) {
    deps.wakeups.notify("actions");
    deps.wakeups.notify("checks");
  }
  if (failure) throw failure;
}
