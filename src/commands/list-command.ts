import { formatDefinitionErrorFrom, isSameRepository } from "../automations/definition-location.js";
import { listDefinitionNames } from "../automations/list-definitions.js";
import { definitionPath, readDefinitionFile, type DefinitionSource } from "../automations/load-definition.js";
import { parseDefinition } from "../automations/parse-definition.js";
import { mapWithConcurrency } from "../targets/map-with-concurrency.js";
import { statusOf } from "../targets/github-targets.js";
import { authorizeWrite } from "./authorize.js";
import { commentTargets, lookupsFor, type CommentLookups } from "./comment-lookups.js";
import { gitHubFailureReply } from "./replies.js";
import type { CommentContext } from "./run-command.js";
import { listReply, type ListedAutomation } from "./target-replies.js";

/**
 * `/automation list`: the automations of the repository's `.github/automations` and of its
 * organisation's `.github` repository (a repository's own file wins), each with whether it is
 * enabled, its description and how many targets it has; an invalid one with its first error.
 */
export async function listCommand(ctx: CommentContext): Promise<string> {
  const { owner, repo, defaultBranch } = ctx.repository;
  const fullName = `${owner}/${repo}`;
  const lookups = lookupsFor(ctx);

  let step = `check ${ctx.comment.author}'s permission on ${fullName}`;
  try {
    const auth = await authorizeWrite(lookups.writeAccess, fullName, ctx.comment.author);
    if (!auth.allowed) return auth.reason;

    step = "list the automations";
    const organisation = repo === ".github" ? null : `${owner}/.github`;
    const [own, shared] = await Promise.all([
      listDefinitionNames(ctx.octokit, owner, repo, defaultBranch),
      organisation ? listDefinitionNames(ctx.octokit, owner, ".github", undefined) : Promise.resolve([]),
    ]);
    const places = [
      ...own.map((name) => ({ name, repo, ref: defaultBranch as string | undefined })),
      ...shared.filter((name) => !own.includes(name)).map((name) => ({ name, repo: ".github", ref: undefined })),
    ].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

    const listed = await mapWithConcurrency(places, 4, async (place): Promise<ListedAutomation | null> => {
      const file = await readDefinitionFile(ctx.octokit, owner, place.repo, definitionPath(place.name), place.ref);
      // Deleted between the listing and the read.
      if (!file) return null;
      return describe(ctx, lookups, place.name, file);
    });
    return listReply(fullName, listed.filter((entry) => entry !== null), organisation);
  } catch (err) {
    ctx.log.error({ err }, `could not ${step}`);
    return gitHubFailureReply(step, err);
  }
}

async function describe(ctx: CommentContext, lookups: CommentLookups, name: string, file: DefinitionSource): Promise<ListedAutomation> {
  const from = isSameRepository(file.repository, lookups.triggering.fullName) ? null : file.repository;
  const parsed = parseDefinition(file.source, file.path);
  if (!parsed.ok) {
    const where = { definitionRepository: file.repository, readerRepository: lookups.triggering.fullName };
    const first = parsed.errors[0];
    const more = parsed.errors.length > 1 ? ` (and ${parsed.errors.length - 1} more)` : "";
    return { name, from, kind: "invalid", error: first ? `${formatDefinitionErrorFrom(first, where)}${more}` : "not valid" };
  }
  const { definition } = parsed;
  const common = { name, from, kind: "valid" as const, enabled: definition.enabled, description: definition.description ?? null };
  try {
    // Counted for anyone: whose write access a run would need is the run's question, not the list's.
    const resolution = await commentTargets(ctx, definition, [], null);
    return { ...common, targets: resolution.targets.length };
  } catch (err) {
    ctx.log.warn({ err, automation: name }, "could not count the targets of an automation");
    const status = statusOf(err);
    return { ...common, targets: { error: `could not count${status === null ? "" : `: GitHub answered ${status}`}` } };
  }
}
