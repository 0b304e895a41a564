import { posix } from "node:path";
import type { Logger } from "pino";
import type { Db } from "../db/client.js";
import { splitRepository, type InstallationOctokit } from "../github-app/installation-octokit.js";
import { loadDefinitionSource } from "../automations/load-definition.js";
import { parseDefinition } from "../automations/parse-definition.js";
import { writeAccessChecker, type WriteAccessCheck } from "../commands/authorize.js";
import { toSkippedTarget } from "../targets/target.js";
import { createDefinitionErrorsCheck } from "../commands/invalid-definition-check.js";
import { createRun, type NewTarget } from "./create-run.js";
import type { RunTrigger } from "./run-trigger.js";
import type { SkippedTarget } from "./runs.sql.js";
import { runOfDelivery, type RerunSource } from "./rerun-sources.js";

// A new run of an automation from an earlier one (Re-run, Re-run all, retry-failed). Like a
// comment's run, it reads the definition afresh from the default branch: a re-run runs what the
// automation is now, so a fix merged since is picked up and a disabled automation stays off.

export interface RerunContext {
  octokit: InstallationOctokit;
  log: Logger;
  deliveryId: string;
  /** The default branch of the source run's repository, where its definition is read. */
  defaultBranch: string;
  /** The GitHub login of whoever pressed the button. */
  sender: string;
  /** Whether the sender may write a repository, when the re-runs of one event share the answers. */
  writeAccess?: WriteAccessCheck;
}

export interface RerunRequest {
  source: RerunSource;
  targets: NewTarget[];
  trigger: RunTrigger;
  /** Position among the runs this delivery starts, for deduplication. */
  commandIndex: number;
}

export type RerunOutcome =
  | { kind: "started"; runId: string; created: boolean; skipped: SkippedTarget[] }
  /**
   * Nothing started: `reason` says why and `advice` what to do about it; `reported` when the
   * commit already shows it (the failed check of an invalid definition).
   */
  | { kind: "ignored"; reason: string; advice: string; reported: boolean };

const ignored = (reason: string, advice: string, reported = false): RerunOutcome => ({ kind: "ignored", reason, advice, reported });

/**
 * Starts the re-run, or says why not. GitHub failures are thrown: the delivery then fails and
 * is handled again, which the delivery id makes safe.
 */
export async function startRerun(db: Db, ctx: RerunContext, request: RerunRequest): Promise<RerunOutcome> {
  const { source, targets, trigger, commandIndex } = request;
  // A redelivery finds its run already recorded and asks GitHub nothing.
  const existing = await runOfDelivery(db, ctx.deliveryId, commandIndex);
  if (existing) return { kind: "started", runId: existing, created: false, skipped: [] };
  if (targets.length === 0) {
    return ignored(`run ${source.runId} has no targets to run again`, `Start a new run with a comment: /automation run ${source.automation}`);
  }

  const { owner, repo } = splitRepository(source.repository);
  // Asked as a comment's run asks: the repository of the check, then each target's repository.
  const canWrite = ctx.writeAccess ?? writeAccessChecker(ctx.octokit, ctx.sender);
  const here = await canWrite(source.repository);
  if (!here.allowed) {
    return ignored(
      `@${ctx.sender} cannot write to ${source.repository} (permission: ${here.permission})`,
      `A re-run needs write access to ${source.repository}; someone who has it can press the button.`,
    );
  }
  const allowed: NewTarget[] = [];
  const skipped: SkippedTarget[] = [];
  for (const target of targets) {
    const access = await canWrite(target.repository);
    if (access.allowed) allowed.push(target);
    else if (!skipped.some((s) => s.target === target.repository)) {
      skipped.push(toSkippedTarget({ kind: "no-write-access", repository: target.repository, user: ctx.sender, permission: access.permission }));
    }
  }
  if (allowed.length === 0) {
    return ignored(
      `@${ctx.sender} cannot write to any target of run ${source.runId}`,
      "A re-run needs write access to the repositories it changes; someone who has it can press the button.",
    );
  }

  // The file the source run was read from, looked up again the way a comment looks it up.
  const fileName = posix.basename(source.definitionPath, ".yml");
  const lookup = await loadDefinitionSource(ctx.octokit, { owner, repo, defaultBranch: ctx.defaultBranch }, fileName);
  if (lookup.kind === "missing") {
    return ignored(
      `automation ${source.automation} no longer exists (looked for ${lookup.searched.join(", ")})`,
      `Add its definition to the default branch again to run it; /automation list in a comment shows the automations there are.`,
    );
  }
  const { file } = lookup;
  const parsed = parseDefinition(file.source, file.path);
  if (!parsed.ok) {
    await createDefinitionErrorsCheck(ctx, { owner, repo, headSha: async () => source.headSha }, source.automation, file, parsed.errors);
    return ignored(`the definition of ${source.automation} in ${file.repository}:${file.path} is not valid`, "Fix the definition on the default branch.", true);
  }
  if (!parsed.definition.enabled) {
    return ignored(
      `automation ${source.automation} is disabled (enabled: false in ${file.repository}:${file.path})`,
      `Set enabled: true in ${file.path} on the default branch of ${file.repository} to run it again.`,
    );
  }

  const { runId, created } = await createRun(db, {
    automation: parsed.definition.name,
    installationId: source.installationId,
    repository: source.repository,
    repositoryId: source.repositoryId,
    headSha: source.headSha,
    trigger,
    deliveryId: ctx.deliveryId,
    commandIndex,
    definition: parsed.definition,
    definitionSource: file.source,
    definitionPath: file.path,
    definitionSha: file.sha,
    definitionRepository: file.repository,
    targets: allowed,
    rerunOf: source.runId,
    skippedTargets: skipped,
  });
  return { kind: "started", runId, created, skipped };
}
