import type { Logger } from "pino";
import type { Db } from "../db/client.js";
import type { InstallationOctokit } from "../github-app/installation-octokit.js";
import { loadDefinitionSource } from "../automations/load-definition.js";
import { parseDefinition } from "../automations/parse-definition.js";
import { createRun } from "../runs/create-run.js";
import type { RunTrigger } from "../runs/run-trigger.js";
import { authorizeWrite } from "./authorize.js";
import { commitToRunOn } from "./commit-to-run-on.js";
import { createInvalidDefinitionCheck } from "./invalid-definition-check.js";
import { commentTriggerOffReply, disabledReply, gitHubFailureReply, invalidDefinitionReply, missingDefinitionReply } from "./replies.js";

export interface CommentContext {
  octokit: InstallationOctokit;
  log: Logger;
  deliveryId: string;
  installationId: number;
  repository: { owner: string; repo: string; id: number; defaultBranch: string; cloneUrl: string };
  issue: { number: number; isPullRequest: boolean };
  comment: { id: number; author: string };
}

export type CommandOutcome = { kind: "started"; runId: string; created: boolean } | { kind: "reply"; message: string };

/** `/automation run <name>`: authorize, read the definition, pin the commit, record the run. */
export async function runCommand(db: Db, ctx: CommentContext, commandIndex: number, name: string): Promise<CommandOutcome> {
  const { octokit, repository: repo } = ctx;
  const fullName = `${repo.owner}/${repo.repo}`;

  let step = `check ${ctx.comment.author}'s permission on ${fullName}`;
  try {
    const auth = await authorizeWrite(octokit, repo.owner, repo.repo, ctx.comment.author);
    if (!auth.allowed) return { kind: "reply", message: auth.reason };

    step = `read the definition of \`${name}\``;
    const lookup = await loadDefinitionSource(octokit, { owner: repo.owner, repo: repo.repo, defaultBranch: repo.defaultBranch }, name);
    if (lookup.kind === "missing") return { kind: "reply", message: missingDefinitionReply(name, lookup.searched) };
    const { file } = lookup;
    const parsed = parseDefinition(file.source, file.path);
    if (!parsed.ok) {
      // Reported twice, where each reader looks: a check annotated on the line, and the reply.
      await createInvalidDefinitionCheck(ctx, name, file, parsed.errors);
      const where = { definitionRepository: file.repository, readerRepository: fullName };
      return { kind: "reply", message: invalidDefinitionReply(name, parsed.errors, where) };
    }
    if (!parsed.definition.enabled) return { kind: "reply", message: disabledReply(name, `${file.repository}:${file.path}`) };
    if (!parsed.definition.on.comment) {
      return { kind: "reply", message: commentTriggerOffReply(name, `${file.repository}:${file.path}`) };
    }

    step = `find the commit to run on`;
    const headSha = await commitToRunOn(ctx);

    step = "record the run";
    const trigger: RunTrigger = {
      kind: "comment",
      commentId: ctx.comment.id,
      issueNumber: ctx.issue.number,
      isPullRequest: ctx.issue.isPullRequest,
      sender: ctx.comment.author,
    };
    const { runId, created } = await createRun(db, {
      automation: parsed.definition.name,
      installationId: ctx.installationId,
      repository: fullName,
      repositoryId: repo.id,
      headSha,
      trigger,
      deliveryId: ctx.deliveryId,
      commandIndex,
      definition: parsed.definition,
      definitionSource: file.source,
      definitionPath: file.path,
      definitionSha: file.sha,
      definitionRepository: file.repository,
      targets: [{ repository: fullName, repositoryId: repo.id, cloneUrl: repo.cloneUrl, ref: headSha, project: null }],
    });
    ctx.log.info({ runId, created, automation: name }, created ? "run created" : "run already recorded for this delivery");
    return { kind: "started", runId, created };
  } catch (err) {
    ctx.log.error({ err, automation: name }, `could not ${step}`);
    return { kind: "reply", message: gitHubFailureReply(step, err) };
  }
}
