import type { Logger } from "pino";
import type { Db } from "../db/client.js";
import type { InstallationOctokit } from "../github-app/installation-octokit.js";
import { createRun } from "../runs/create-run.js";
import type { RunTrigger } from "../runs/run-trigger.js";
import { isSurprisingSkip, toSkippedTarget } from "../targets/target.js";
import { authorizeWrite } from "./authorize.js";
import { commentTargets, lookupsFor } from "./comment-lookups.js";
import { createInvalidDefinitionCheck } from "./invalid-definition-check.js";
import { readDefinition } from "./read-definition.js";
import { commentTriggerOffReply, disabledReply, gitHubFailureReply } from "./replies.js";
import { noTargetsReply, runNotice } from "./target-replies.js";

export interface CommentContext {
  octokit: InstallationOctokit;
  log: Logger;
  deliveryId: string;
  installationId: number;
  repository: {
    owner: string;
    repo: string;
    id: number;
    defaultBranch: string;
    cloneUrl: string;
    /** As the webhook reports them; `targets.topics` filters the commented repository by them. */
    topics?: string[];
    archived?: boolean;
    fork?: boolean;
  };
  issue: { number: number; isPullRequest: boolean };
  comment: { id: number; author: string };
}

export type CommandOutcome =
  /** `notice`: what the run leaves out that the commenter should hear about, if anything. */
  | { kind: "started"; runId: string; created: boolean; notice: string | null }
  | { kind: "reply"; message: string };

/**
 * `/automation run <name> [owner/repo …]`: authorize, read the definition, resolve its targets
 * (only the listed repositories, when some are), pin each target's commit, record the run.
 */
export async function runCommand(
  db: Db,
  ctx: CommentContext,
  commandIndex: number,
  name: string,
  requested: readonly string[] = [],
): Promise<CommandOutcome> {
  const { repository: repo } = ctx;
  const fullName = `${repo.owner}/${repo.repo}`;
  const lookups = lookupsFor(ctx);

  let step = `check ${ctx.comment.author}'s permission on ${fullName}`;
  try {
    const auth = await authorizeWrite(lookups.writeAccess, fullName, ctx.comment.author);
    if (!auth.allowed) return { kind: "reply", message: auth.reason };

    step = `read the definition of \`${name}\``;
    const read = await readDefinition(ctx, name);
    if (read.kind === "missing") return { kind: "reply", message: read.message };
    if (read.kind === "invalid") {
      // Reported twice, where each reader looks: a check annotated on the line, and the reply.
      await createInvalidDefinitionCheck(ctx, name, read.file, read.errors);
      return { kind: "reply", message: read.message };
    }
    const { file, definition } = read;
    if (!definition.enabled) return { kind: "reply", message: disabledReply(name, `${file.repository}:${file.path}`) };
    if (!definition.on.comment) {
      return { kind: "reply", message: commentTriggerOffReply(name, `${file.repository}:${file.path}`) };
    }

    step = `find the commit to run on`;
    const headSha = await lookups.triggeringCommit();

    step = `find the targets of \`${name}\``;
    const resolution = await commentTargets(ctx, definition, requested);
    if (resolution.targets.length === 0) {
      return { kind: "reply", message: noTargetsReply(name, resolution.notTargets, resolution.skipped) };
    }

    step = "record the run";
    const trigger: RunTrigger = {
      kind: "comment",
      commentId: ctx.comment.id,
      issueNumber: ctx.issue.number,
      isPullRequest: ctx.issue.isPullRequest,
      sender: ctx.comment.author,
    };
    const { runId, created } = await createRun(db, {
      automation: definition.name,
      installationId: ctx.installationId,
      repository: fullName,
      repositoryId: repo.id,
      headSha,
      trigger,
      deliveryId: ctx.deliveryId,
      commandIndex,
      definition,
      definitionSource: file.source,
      definitionPath: file.path,
      definitionSha: file.sha,
      definitionRepository: file.repository,
      targets: resolution.targets,
      skippedTargets: resolution.skipped.map(toSkippedTarget),
    });
    ctx.log.info(
      { runId, created, automation: name, targets: resolution.targets.length, skipped: resolution.skipped.length },
      created ? "run created" : "run already recorded for this delivery",
    );
    const notice = runNotice(name, resolution.targets.length, resolution.notTargets, resolution.skipped.filter(isSurprisingSkip));
    return { kind: "started", runId, created, notice };
  } catch (err) {
    ctx.log.error({ err, automation: name }, `could not ${step}`);
    return { kind: "reply", message: gitHubFailureReply(step, err) };
  }
}
