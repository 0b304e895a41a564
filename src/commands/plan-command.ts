import { authorizeWrite } from "./authorize.js";
import { commentTargets, lookupsFor } from "./comment-lookups.js";
import { readDefinition } from "./read-definition.js";
import { commentTriggerOffReply, disabledReply, gitHubFailureReply } from "./replies.js";
import type { CommentContext } from "./run-command.js";
import { planReply } from "./target-replies.js";

/**
 * `/automation plan <name> [owner/repo …]`: the targets `run` would have, asked the same way
 * (same permission checks, same restriction), and the reply; nothing is recorded or started.
 */
export async function planCommand(ctx: CommentContext, name: string, requested: readonly string[] = []): Promise<string> {
  const { repository: repo } = ctx;
  const fullName = `${repo.owner}/${repo.repo}`;
  const lookups = lookupsFor(ctx);

  let step = `check ${ctx.comment.author}'s permission on ${fullName}`;
  try {
    const auth = await authorizeWrite(lookups.writeAccess, fullName, ctx.comment.author);
    if (!auth.allowed) return auth.reason;

    step = `read the definition of \`${name}\``;
    const read = await readDefinition(ctx, name);
    if (read.kind !== "valid") return read.message;
    const { file, definition } = read;
    const where = `${file.repository}:${file.path}`;
    // A plan is still worth seeing for an automation that cannot be started now; it says so.
    const refusal = !definition.enabled
      ? disabledReply(name, where)
      : !definition.on.comment
        ? commentTriggerOffReply(name, where)
        : null;

    step = `find the targets of \`${name}\``;
    const resolution = await commentTargets(ctx, definition, requested);
    return planReply({ automation: name, definedIn: where, requested, refusal, ...resolution });
  } catch (err) {
    ctx.log.error({ err, automation: name }, `could not ${step}`);
    return gitHubFailureReply(step, err);
  }
}
