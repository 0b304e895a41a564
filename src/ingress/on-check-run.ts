import type { Context } from "probot";
import type { IngressDeps } from "./on-issue-comment.js";
import { isOwnApp } from "./own-check.js";
import { startReruns, type CheckEventContext } from "./start-reruns.js";
import { findActionOfCheck, findRunOfSummaryCheck, targetsOfRun, type RerunSource } from "../runs/rerun-sources.js";
import type { NewTarget } from "../runs/create-run.js";
import { RETRY_FAILED_IDENTIFIER } from "../reporting/render-run-summary.js";
import { createRefusedRerunCheck } from "../runs/refused-rerun-check.js";
import { isAutomationName } from "../automations/automation-name.js";

type CheckRunEvent = Context<"check_run.rerequested"> | Context<"check_run.requested_action">;

/**
 * The common gate of check-run events: the check must be this app's, pressed by a person, in an
 * installation. Returns what the re-run needs, or null (logged) to ignore the event.
 */
async function acceptCheckRunEvent(context: CheckRunEvent): Promise<{ ctx: CheckEventContext; installationId: number } | null> {
  const { payload } = context;
  const log = context.log.child({ checkRunId: payload.check_run.id });
  const installationId = payload.installation?.id;
  if (installationId === undefined) {
    log.warn("check run event without an installation; ignored");
    return null;
  }
  if (payload.sender.type === "Bot") {
    log.info({ sender: payload.sender.login }, "check run event sent by a bot; ignored");
    return null;
  }
  if (!(await isOwnApp(context.octokit, payload.check_run.app))) {
    log.debug({ app: payload.check_run.app?.id }, "check run of another app; ignored");
    return null;
  }
  const ctx: CheckEventContext = {
    octokit: context.octokit,
    log,
    deliveryId: context.id,
    defaultBranch: payload.repository.default_branch,
    sender: payload.sender.login,
  };
  return { ctx, installationId };
}

/** The check must sit in the repository the run reports to; anything else is not ours to act on. */
function inRunRepository(context: CheckRunEvent, source: RerunSource): boolean {
  return context.payload.repository.id === source.repositoryId;
}

/**
 * `check_run.rerequested`, GitHub's Re-run button. On an action's check: a new run of the
 * automation on that one target. On a run's summary check: a new run on all its targets.
 */
export function onCheckRunRerequested(deps: IngressDeps) {
  return async (context: Context<"check_run.rerequested">): Promise<void> => {
    const accepted = await acceptCheckRunEvent(context);
    if (!accepted) return;
    const { ctx, installationId } = accepted;
    const checkRun = context.payload.check_run;

    let source: RerunSource;
    let targets: NewTarget[];
    const action = await findActionOfCheck(deps.db, installationId, checkRun.external_id);
    if (action) {
      source = action.source;
      targets = [action.target];
    } else {
      const run = await findRunOfSummaryCheck(deps.db, installationId, { id: checkRun.id, externalId: checkRun.external_id });
      if (!run) {
        ctx.log.info({ externalId: checkRun.external_id }, "Re-run of a check that is no action or run of this app (an invalid-definition check?); ignored");
        await answerDefinitionCheckRerun(context, ctx);
        return;
      }
      source = run;
      targets = await targetsOfRun(deps.db, run.runId, { failedOnly: false });
    }
    if (!inRunRepository(context, source)) {
      ctx.log.warn({ runId: source.runId }, "Re-run of a check from another repository than its run's; ignored");
      return;
    }
    await startReruns(deps, ctx, [
      { source, targets, trigger: { kind: "check-rerun", checkRunId: checkRun.id, sender: ctx.sender }, commandIndex: 0 },
    ]);
  };
}

/**
 * Re-run on the check that reported an invalid definition (named as a run's summary check, but
 * of no run): nothing to run again, so the answer says how to start the automation once fixed.
 */
async function answerDefinitionCheckRerun(context: Context<"check_run.rerequested">, ctx: CheckEventContext): Promise<void> {
  const automation = /^automation: (\S+)$/.exec(context.payload.check_run.name)?.[1];
  if (automation === undefined || !isAutomationName(automation)) return;
  await createRefusedRerunCheck(
    ctx,
    { automation, repository: context.payload.repository.full_name, headSha: context.payload.check_run.head_sha },
    {
      trigger: { kind: "check-rerun", checkRunId: context.payload.check_run.id, sender: ctx.sender },
      reason: `this check reports a definition of ${automation} that was not valid, not a run that can be run again`,
      advice: `Once the definition is fixed on the default branch, comment /automation run ${automation} on the pull request to start it.`,
    },
  );
}

/** `check_run.requested_action` `retry-failed` on a run's summary check: the failed targets again. */
export function onCheckRunRequestedAction(deps: IngressDeps) {
  return async (context: Context<"check_run.requested_action">): Promise<void> => {
    const identifier = context.payload.requested_action?.identifier;
    if (identifier !== RETRY_FAILED_IDENTIFIER) {
      context.log.debug({ identifier }, "check run button this app does not offer; ignored");
      return;
    }
    const accepted = await acceptCheckRunEvent(context);
    if (!accepted) return;
    const { ctx, installationId } = accepted;
    const checkRun = context.payload.check_run;

    const run = await findRunOfSummaryCheck(deps.db, installationId, { id: checkRun.id, externalId: checkRun.external_id });
    if (!run || !inRunRepository(context, run)) {
      ctx.log.info("retry-failed on a check that is not a summary check of this app's runs; ignored");
      return;
    }
    const failed = await targetsOfRun(deps.db, run.runId, { failedOnly: true });
    if (failed.length === 0) {
      ctx.log.info({ runId: run.runId }, "retry-failed on a run without failed actions; nothing to retry");
      return;
    }
    await startReruns(deps, ctx, [
      { source: run, targets: failed, trigger: { kind: "retry-failed", checkRunId: checkRun.id, sender: ctx.sender }, commandIndex: 0 },
    ]);
  };
}
