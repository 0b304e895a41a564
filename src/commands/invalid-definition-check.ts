import type { Logger } from "pino";
import type { InstallationOctokit } from "../github-app/installation-octokit.js";
import type { DefinitionSource } from "../automations/load-definition.js";
import type { DefinitionError } from "../automations/parse-definition.js";
import { renderDefinitionErrorsCheck } from "../reporting/render-definition-errors.js";
import { commitToRunOn } from "./commit-to-run-on.js";
import { createConcludedCheck } from "../github-app/create-concluded-check.js";
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
  const check = () => ({
    ...renderDefinitionErrorsCheck({ automation: name, errors, definitionRepository: file.repository, checkRepository: `${on.owner}/${on.repo}` }),
    conclusion: "failure" as const,
  });
  await createConcludedCheck({ octokit: ctx.octokit, log: ctx.log.child({ automation: name }) }, on, check, "for an invalid definition");
}
