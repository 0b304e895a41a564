import type { Context } from "probot";
import type { IngressDeps } from "./on-issue-comment.js";
import { isOwnApp } from "./own-check.js";
import { startReruns } from "./start-reruns.js";
import { latestRunsOnCommit, targetsOfRun } from "../runs/rerun-sources.js";

/**
 * `check_suite.rerequested`, GitHub's "Re-run all checks" for this app's suite on a commit: one
 * new run per automation that has checks there, over the targets of its latest run on that commit.
 */
export function onCheckSuiteRerequested(deps: IngressDeps) {
  return async (context: Context<"check_suite.rerequested">): Promise<void> => {
    const { payload } = context;
    const suite = payload.check_suite;
    const log = context.log.child({ checkSuiteId: suite.id });
    const installationId = payload.installation?.id;
    if (installationId === undefined) {
      log.warn("check suite event without an installation; ignored");
      return;
    }
    if (payload.sender.type === "Bot") {
      log.info({ sender: payload.sender.login }, "check suite event sent by a bot; ignored");
      return;
    }
    if (!(await isOwnApp(context.octokit, suite.app))) {
      log.debug({ app: suite.app?.id }, "check suite of another app; ignored");
      return;
    }

    const sources = await latestRunsOnCommit(deps.db, {
      installationId,
      repositoryId: payload.repository.id,
      headSha: suite.head_sha,
      exceptDelivery: context.id,
    });
    if (sources.length === 0) {
      log.info({ headSha: suite.head_sha }, "Re-run all on a commit without runs of this app; nothing to re-run");
      return;
    }
    const sender = payload.sender.login;
    const requests = await Promise.all(
      sources.map(async (source, commandIndex) => ({
        source,
        targets: await targetsOfRun(deps.db, source.runId, { failedOnly: false }),
        trigger: { kind: "suite-rerun" as const, checkSuiteId: suite.id, sender },
        // Sources come sorted by automation name, so a redelivery gives each the same index.
        commandIndex,
      })),
    );
    await startReruns(deps, { octokit: context.octokit, log, deliveryId: context.id, defaultBranch: payload.repository.default_branch, sender }, requests);
  };
}
