import type { DefinitionError } from "../automations/parse-definition.js";
import { formatDefinitionError } from "../automations/parse-definition.js";
import { commentBodyMaxChars } from "../reporting/github-limits.js";
import { fitHead } from "../reporting/fit-text.js";

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

export function invalidDefinitionReply(name: string, errors: DefinitionError[]): string {
  return [
    `Automation \`${name}\` was not started: its definition is not valid.`,
    "",
    "```",
    ...errors.map(formatDefinitionError),
    "```",
    "",
    "Fix the file on the default branch and comment again.",
  ].join("\n");
}

export function disabledReply(name: string, path: string): string {
  return `Automation \`${name}\` is disabled (\`enabled: false\` in \`${path}\`), so it cannot be started.`;
}

export function notYetAvailableReply(verb: string): string {
  return `\`/automation ${verb}\` is not available in this version of the app yet. \`/automation help\` lists what is.`;
}

export function gitHubFailureReply(doing: string, err: unknown): string {
  const status = typeof err === "object" && err !== null && "status" in err ? ` (GitHub answered ${String(err.status)})` : "";
  return `Could not ${doing}${status}. Nothing was started; please try again in a moment.`;
}
