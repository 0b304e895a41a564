import type { Context } from "probot";
import type { Db } from "../db/client.js";
import type { Wakeups } from "../queue/wakeups.js";
import { parseCommands, usageText } from "../commands/parse-commands.js";
import { runCommand, type CommentContext } from "../commands/run-command.js";
import { helpReply, replyBody } from "../commands/replies.js";
import { cancelCommand } from "../commands/cancel-command.js";
import { planCommand } from "../commands/plan-command.js";
import { listCommand } from "../commands/list-command.js";
import { errorMessage } from "../error-message.js";
import { classifySendError } from "../reporting/github-errors.js";

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
        topics: payload.repository.topics ?? [],
        archived: payload.repository.archived,
        fork: payload.repository.fork,
      },
      issue: { number: payload.issue.number, isPullRequest: Boolean(payload.issue.pull_request) },
      comment: { id: payload.comment.id, author: payload.comment.user?.login ?? payload.sender.login },
    };

    // Replies that reached the comment, and the first failure of one that did not.
    let replied = 0;
    let replyFailure: unknown = null;
    const reply = (message: string) =>
      context.octokit.rest.issues.createComment(context.issue({ body: replyBody(message) })).then(
        () => void (replied += 1),
        (err: unknown) => {
          log.error({ err }, "could not reply on the comment");
          replyFailure ??= err;
        },
      );

    let started = false;
    let cancelled = false;
    for (const [index, line] of lines.entries()) {
      if (line.kind === "reply") {
        await reply(line.message);
        continue;
      }
      const { command } = line;
      switch (command.verb) {
        case "run": {
          const outcome = await runCommand(deps.db, ctx, index, command.automation, command.repositories);
          if (outcome.kind === "reply") await reply(outcome.message);
          else if (outcome.created) {
            started = true;
            if (outcome.notice) await reply(outcome.notice);
          }
          break;
        }
        case "plan":
          await reply(await planCommand(ctx, command.automation, command.repositories));
          break;
        case "list":
          await reply(await listCommand(ctx));
          break;
        case "cancel": {
          const outcome = await cancelCommand(deps, ctx, command.automation);
          if (outcome.kind === "reply") await reply(outcome.message);
          else cancelled = true;
          break;
        }
        case "help":
          await reply(helpReply(usageText()));
          break;
      }
    }
    if (started) {
      deps.wakeups.notify("actions");
      deps.wakeups.notify("checks");
      await context.octokit.rest.reactions
        .createForIssueComment(context.repo({ comment_id: payload.comment.id, content: "rocket" as const }))
        .catch((err: unknown) => log.warn({ err }, "could not react to the comment"));
    }
    if (cancelled) {
      await context.octokit.rest.reactions
        .createForIssueComment(context.repo({ comment_id: payload.comment.id, content: "+1" as const }))
        .catch((err: unknown) => log.warn({ err }, "could not react to the comment"));
    }
    // GitHub out of reach with nothing said on the comment: the commenter would hear nothing, so
    // the delivery is handled again later. Runs already recorded for it are not made twice, and
    // as no reply was posted, none is posted twice.
    if (replyFailure !== null && replied === 0 && isTransient(replyFailure)) {
      throw new Error(`could not reply on the comment (${errorMessage(replyFailure)}); the comment will be handled again`);
    }
  };
}

/** A failure that may pass (GitHub's 5xx or rate limits, or no answer at all), as the reporter judges its own. */
function isTransient(err: unknown): boolean {
  return classifySendError(err, 1, { baseMs: 0, maxBackoffMs: 0, now: Date.now() }).kind === "retry";
}
