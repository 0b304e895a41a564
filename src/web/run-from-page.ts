import type { Logger } from "pino";
import type { Db } from "../db/client.js";
import type { AutomationDefinition } from "../automations/definition-schema.js";
import { loadDefinitionSource, type DefinitionSource } from "../automations/load-definition.js";
import { formatDefinitionError, parseDefinition } from "../automations/parse-definition.js";
import { authorizeWrite, writeAccessChecker } from "../commands/authorize.js";
import { splitRepository, type OctokitForInstallation } from "../github-app/installation-octokit.js";
import type { Wakeups } from "../queue/wakeups.js";
import { createRun } from "../runs/create-run.js";
import { gitHubTargets } from "../targets/github-targets.js";
import { resolveTargets } from "../targets/resolve-targets.js";
import { skipReason, toSkippedTarget, type Skip, type Target } from "../targets/target.js";
import { targetName } from "./compare-runs.js";

// "Run an automation" from its page: the same steps as `/automation run` in a comment (write
// access, the definition from the default branch, targets resolved with the person's access),
// with the targets shown to confirm before anything starts.

export interface RunFromPageDeps {
  octokitFor: OctokitForInstallation;
}

export interface RunFromPageInput {
  installationId: number;
  /** `owner/repo` the run is started in: its checks go on its default branch head. */
  repository: string;
  /** The definition's file name, without `.yml`. */
  fileName: string;
  login: string;
}

/** What the Run page can offer, or why it offers nothing. */
export type RunPlan =
  | { kind: "refused"; message: string }
  | { kind: "invalid"; where: string; errors: string[] }
  | { kind: "disabled"; where: string }
  | {
      kind: "ready";
      where: string;
      file: DefinitionSource;
      definition: AutomationDefinition;
      repositoryId: number;
      headSha: string;
      targets: Target[];
      skipped: Array<{ target: string; reason: string }>;
      skips: Skip[];
    };

export async function planRunFromPage(deps: RunFromPageDeps, input: RunFromPageInput): Promise<RunPlan> {
  const octokit = await deps.octokitFor(input.installationId);
  const { owner, repo } = splitRepository(input.repository);
  const writeAccess = writeAccessChecker(octokit, input.login);
  const auth = await authorizeWrite(writeAccess, input.repository, input.login);
  if (!auth.allowed) return { kind: "refused", message: auth.reason };

  const { data: repository } = await octokit.rest.repos.get({ owner, repo });
  const lookup = await loadDefinitionSource(octokit, { owner, repo, defaultBranch: repository.default_branch }, input.fileName);
  if (lookup.kind === "missing") {
    return { kind: "refused", message: `There is no automation ${input.fileName} any more (looked in ${lookup.searched.join(" and ")}).` };
  }
  const { file } = lookup;
  const where = `${file.repository}:${file.path}`;
  const parsed = parseDefinition(file.source, file.path);
  if (!parsed.ok) return { kind: "invalid", where, errors: parsed.errors.map(formatDefinitionError) };
  if (!parsed.definition.enabled) return { kind: "disabled", where };

  const { data: branch } = await octokit.rest.repos.getBranch({ owner, repo, branch: repository.default_branch });
  const headSha = branch.commit.sha;
  const resolution = await resolveTargets(gitHubTargets(octokit), {
    targets: parsed.definition.targets,
    triggering: {
      fullName: repository.full_name,
      id: repository.id,
      cloneUrl: repository.clone_url,
      defaultBranch: repository.default_branch,
      archived: repository.archived,
      fork: repository.fork,
      topics: repository.topics ?? [],
    },
    triggeringCommit: async () => headSha,
    requested: [],
    requester: { login: input.login, writeAccess },
  });
  return {
    kind: "ready",
    where,
    file,
    definition: parsed.definition,
    repositoryId: repository.id,
    headSha,
    targets: resolution.targets,
    skipped: resolution.skipped.map((skip) => ({ target: skip.repository, reason: skipReason(skip) })),
    skips: resolution.skipped,
  };
}

export type RunStart = { kind: "started"; runId: string } | { kind: "refused"; message: string };

/**
 * Starts the run on the chosen targets (by name), resolving them again: what the form says only
 * narrows what the person may run now. `requestId` comes from the form, so a double submit makes one run.
 */
export async function startRunFromPage(
  deps: RunFromPageDeps & { db: Db; wakeups: Wakeups; log: Logger },
  input: RunFromPageInput & { chosen: readonly string[]; requestId: string },
): Promise<RunStart> {
  const plan = await planRunFromPage(deps, input);
  if (plan.kind === "refused") return plan;
  if (plan.kind === "invalid") return { kind: "refused", message: `The definition in ${plan.where} is not valid: ${plan.errors.join("; ")}` };
  if (plan.kind === "disabled") return { kind: "refused", message: `The automation is disabled (enabled: false in ${plan.where}).` };
  const chosen = new Set(input.chosen);
  const targets = plan.targets.filter((t) => chosen.has(targetName(t.repository, t.project)));
  if (targets.length === 0) return { kind: "refused", message: "None of the chosen targets can be run now; pick targets from the list again." };
  const { runId, created } = await createRun(deps.db, {
    automation: plan.definition.name,
    installationId: input.installationId,
    repository: input.repository,
    repositoryId: plan.repositoryId,
    headSha: plan.headSha,
    trigger: { kind: "page", sender: input.login },
    deliveryId: `page:${input.requestId}`,
    commandIndex: 0,
    definition: plan.definition,
    definitionSource: plan.file.source,
    definitionPath: plan.file.path,
    definitionSha: plan.file.sha,
    definitionRepository: plan.file.repository,
    targets,
    skippedTargets: plan.skips.map(toSkippedTarget),
  });
  deps.log.info({ runId, created, automation: plan.definition.name, by: input.login, targets: targets.length }, "run started from the pages");
  if (created) {
    deps.wakeups.notify("actions");
    deps.wakeups.notify("checks");
  }
  return { kind: "started", runId };
}
