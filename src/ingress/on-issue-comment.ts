import type { Context } from "probot";
import type { Db } from "../db/client.js";
import type { Wakeups } from "../queue/wakeups.js";
import { parseCommands, usageText } from "../commands/parse-commands.js";
import { runCommand, type CommentContext } from "../commands/run-command.js";
import { notYetAvailableReply, replyBody } from "../commands/replies.js";

export interface IngressDeps {
  db: Db;
  wakeups: Wakeups;
}

/**
 * `issue_comment.created`: each `/automation …` line is a command. Runs are recorded here and
 * executed by workers; this handler only reads GitHub and writes the database.
 */
export function onIssueComment(deps: IngressDeps) {
  return async (context: Context<"issue_comment.created">): Promise<void> => {
    const { payload } = context;
    // Bots, the app itself among them, never trigger work.
    if (payload.sender.type === "Bot" || payload.comment.user?.type === "Bot") return;
    const lines = parseCommands(payload.comment.body ?? "");
    if (lines.length === 0) return;

    const installationId = payload.installation?.id;
    const log = context.log.child({ deliveryId: context.id });
    if (installationId === undefined) {
      log.warn("comment event without an installation; ignored");
      return;
    }
    const ctx: CommentContext = {
      octokit: context.octokit,
      log,
      deliveryId: context.id,
      installationId,
      repository: {
        owner: payload.repository.owner.login,
        repo: payload.repository.name,
        id: payload.repository.id,
        defaultBranch: payload.repository.default_branch,
        cloneUrl: payload.repository.clone_url,
      },
      issue: { number: payload.issue.number, isPullRequest: Boolean(payload.issue.pull_request) },
      comment: { id: payload.comment.id, author: payload.comment.user?.login ?? payload.sender.login },
    };

    const reply = (message: string) =>
      context.octokit.rest.issues.createComment(context.issue({ body: replyBody(message) })).catch((err: unknown) => {
        log.error({ err }, "could not reply on the comment");
      });

    let started = false;
    for (const [index, line] of lines.entries()) {
      if (line.kind === "reply") {
        await reply(line.message);
        continue;
      }
      const { command } = line;
      switch (command.verb) {
        case "run": {
          const outcome = await runCommand(deps.db, ctx, index, command.automation);
          if (outcome.kind === "reply") await reply(outcome.message);
          else if (outcome.created) started = true;
          break;
        }
        case "help":
          await reply(usageText());
          break;
        default:
          await reply(notYetAvailableReply(command.verb));
      }
    }
    if (started) {
      deps.wakeups.notify("actions");
      deps.wakeups.notify("checks");
      await context.octokit.rest.reactions
        .createForIssueComment(context.repo({ comment_id: payload.comment.id, content: "rocket" as const }))
        .catch((err: unknown) => log.warn({ err }, "could not react to the comment"));
    }
  };
}
