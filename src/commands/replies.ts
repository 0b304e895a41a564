import type { DefinitionError } from "../automations/parse-definition.js";
import { formatDefinitionErrorFrom, isSameRepository, type DefinitionLocation } from "../automations/definition-location.js";
import { commentBodyMaxChars } from "../reporting/github-limits.js";
import { fitHead } from "../reporting/fit-text.js";
import { fencedCodeBlock } from "../reporting/markdown.js";

// Every comment the app writes, worded in one place.

export function replyBody(text: string): string {
  return fitHead(text, commentBodyMaxChars);
}

export function missingDefinitionReply(name: string, searched: string[]): string {
  return [
    `There is no automation named \`${name}\` here. Looked for:`,
    ...searched.map((s) => `- \`${s}\``),
    "",
    "Add the file to the default branch (definitions are never read from a pull request), or check the name.",
  ].join("\n");
}

/** Errors name `definitionRepository` when it is not the repository of the comment (the reader's). */
export function invalidDefinitionReply(name: string, errors: readonly DefinitionError[], where: DefinitionLocation): string {
  const elsewhere = !isSameRepository(where.definitionRepository, where.readerRepository);
  return [
    `Automation \`${name}\` was not started: its definition is not valid.`,
    "",
    fencedCodeBlock(errors.map((e) => formatDefinitionErrorFrom(e, where)).join("\n")),
    "",
    `Fix the file on the default branch${elsewhere ? ` of \`${where.definitionRepository}\`` : ""} and comment again.`,
  ].join("\n");
}

export function disabledReply(name: string, path: string): string {
  return `Automation \`${name}\` is disabled (\`enabled: false\` in \`${path}\`), so it cannot be started.`;
}

export function commentTriggerOffReply(name: string, path: string): string {
  return `Automation \`${name}\` does not start from comments (\`on.comment: false\` in \`${path}\`).`;
}

export function gitHubFailureReply(doing: string, err: unknown, nothingDone = "Nothing was started"): string {
  const status = typeof err === "object" && err !== null && "status" in err ? ` (GitHub answered ${String(err.status)})` : "";
  return `Could not ${doing}${status}. ${nothingDone}; please try again in a moment.`;
}

/** `/automation help`: the syntax, then examples of a typical session and who may do what. */
export function helpReply(usage: string): string {
  return [
    usage,
    "",
    "For example, see which repositories a run would touch, start it on two of them, then stop it:",
    "",
    "```",
    "/automation plan upgrade-node",
    "/automation run upgrade-node acme/api acme/web",
    "/automation cancel upgrade-node",
    "```",
    "",
    "Starting and cancelling need write access to this repository (and a run's targets); each action shows as a check run, whose Re-run button runs it again.",
  ].join("\n");
}

/** `/automation cancel` again while the running actions of an earlier cancel are still stopping. */
export function alreadyCancellingReply(runs: number): string {
  return runs === 1
    ? "The active run was already cancelled; its running actions are being stopped."
    : `The ${runs} active runs were already cancelled; their running actions are being stopped.`;
}

export function cancelRefusedReply(login: string, repository: string, permission: string): string {
  return `@${login} needs write access to ${repository} to cancel runs here (has: ${permission}). Nothing was cancelled.`;
}

/** `/automation cancel` found nothing pending or running to cancel. */
export function nothingToCancelReply(automation: string | null, isPullRequest: boolean): string {
  const of = automation === null ? "" : ` of \`${automation}\``;
  return `There are no active runs${of} started from this ${isPullRequest ? "pull request" : "issue"}, so nothing was cancelled.`;
}
