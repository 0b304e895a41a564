import type { Logger } from "pino";
import type { Db } from "../db/client.js";
import { splitRepository, type OctokitForInstallation } from "../github-app/installation-octokit.js";
import type { Wakeups } from "../queue/wakeups.js";
import { targetsOfRun } from "../runs/rerun-sources.js";
import { startRerun, type RerunOutcome } from "../runs/rerun.js";
import type { RunRow } from "./load-runs.js";

export interface RetryDeps {
  db: Db;
  wakeups: Wakeups;
  octokitFor: OctokitForInstallation;
  log: Logger;
}

/**
 * Retry failed from the run page: a new run of the automation on the targets that failed, made as
 * the summary check's button makes it (definition read afresh, write access checked per target).
 * `requestId` comes from the form, so a double submit makes one run.
 */
export async function retryFailedFromPage(deps: RetryDeps, run: RunRow, sender: string, requestId: string): Promise<RerunOutcome> {
  const octokit = await deps.octokitFor(run.installationId);
  const { owner, repo } = splitRepository(run.repository);
  const { data } = await octokit.rest.repos.get({ owner, repo });
  const targets = await targetsOfRun(deps.db, run.id, { failedOnly: true });
  const outcome = await startRerun(
    deps.db,
    { octokit, log: deps.log, deliveryId: `page:${requestId}`, defaultBranch: data.default_branch, sender },
    {
      source: {
        runId: run.id,
        automation: run.automation,
        installationId: run.installationId,
        repository: run.repository,
        repositoryId: run.repositoryId,
        headSha: run.headSha,
        definitionPath: run.definitionPath,
      },
      targets,
      trigger: { kind: "page", sender },
      commandIndex: 0,
    },
  );
  if (outcome.kind === "started" && outcome.created) {
    deps.wakeups.notify("actions");
    deps.wakeups.notify("checks");
  }
  return outcome;
}
