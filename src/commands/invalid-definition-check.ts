import type { Logger } from "pino";
import type { InstallationOctokit } from "../github-app/installation-octokit.js";
import type { DefinitionSource } from "../automations/load-definition.js";
import type { DefinitionError } from "../automations/parse-definition.js";
import { renderDefinitionErrorsCheck } from "../reporting/render-definition-errors.js";
import { commitToRunOn } from "./commit-to-run-on.js";
import type { CommentContext } from "./run-command.js";

/**
 * A failed check run `automation: <name>` on the commit the run would have used, each error
 * annotated on its line. Best effort: the reply on the comment says the same, so a failure
 * here is logged and must not keep that reply from being posted.
 */
export async function createInvalidDefinitionCheck(
  ctx: CommentContext,
  name: string,
  file: DefinitionSource,
  errors: readonly DefinitionError[],
): Promise<void> {
  await createDefinitionErrorsCheck(ctx, { ...ctx.repository, headSha: () => commitToRunOn(ctx) }, name, file, errors);
}

/** The same check for any trigger, on `headSha` of `owner/repo`; logged, never thrown. */
export async function createDefinitionErrorsCheck(
  ctx: { octokit: InstallationOctokit; log: Logger },
  on: { owner: string; repo: string; headSha: () => Promise<string> },
  name: string,
  file: DefinitionSource,
  errors: readonly DefinitionError[],
): Promise<void> {
  const { owner, repo } = on;
  try {
    const headSha = await on.headSha();
    const check = renderDefinitionErrorsCheck({
      automation: name,
      errors,
      definitionRepository: file.repository,
      checkRepository: `${owner}/${repo}`,
    });
    await ctx.octokit.rest.checks.create({
      owner,
      repo,
      head_sha: headSha,
      name: check.name,
      status: "completed",
      conclusion: "failure",
      completed_at: new Date().toISOString(),
      output: { title: check.title, summary: check.summary, annotations: check.annotations },
    });
  } catch (err) {
    ctx.log.warn({ err, automation: name }, "could not create the check run for an invalid definition");
  }
}
