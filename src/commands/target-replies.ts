import { escapeMarkdownInline } from "../reporting/markdown.js";
import { commentBodyMaxChars } from "../reporting/github-limits.js";
import type { NotATarget } from "../targets/resolve-targets.js";
import { skipReason, targetName, type Skip, type Target } from "../targets/target.js";
import { fitLines, shareBudget } from "./fit-lines.js";

// Replies about targets: what a run left out, what `plan` would run, what `list` finds. Pure.

/** Room kept for the headings and notes around the lists, well over what they take. */
const reserved = 2_000;

const item = (text: string) => `- ${text}`;
const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function skipLine(skip: Skip): string {
  return item(`${code(skip.repository)}: ${escapeMarkdownInline(skipReason(skip))}`);
}

function notTargetLine(automation: string, entry: NotATarget): string {
  const why = entry.skip ? `: ${escapeMarkdownInline(skipReason(entry.skip))}` : "";
  return item(`${code(entry.repository)} is not a target of ${code(automation)}${why}`);
}

const andMore = (what: string) => (n: number) => item(`… and ${n} more ${n === 1 ? what : what === "repository" ? "repositories" : `${what}s`}`);

/** Lists in the order given, each cut to its share of a comment with "… and N more". */
function sections(parts: Array<{ heading: string; lines: string[]; what: string }>): string[] {
  const present = parts.filter((part) => part.lines.length > 0);
  const needs = present.map((part) => part.lines.reduce((sum, line) => sum + line.length + 1, 0));
  const shares = shareBudget(needs, commentBodyMaxChars - reserved);
  return present.flatMap((part, index) => ["", part.heading, ...fitLines(part.lines, shares[index] as number, andMore(part.what))]);
}

/** After a run started: what it leaves out that the person did not ask to leave out. Null when nothing. */
export function runNotice(automation: string, started: number, notTargets: readonly NotATarget[], skipped: readonly Skip[]): string | null {
  if (notTargets.length === 0 && skipped.length === 0) return null;
  const body = sections([
    { heading: "Not targets, so not part of the run:", lines: notTargets.map((entry) => notTargetLine(automation, entry)), what: "repository" },
    { heading: `Skipped (${skipped.length}):`, lines: skipped.map(skipLine), what: "repository" },
  ]);
  return [`Started ${code(automation)} on ${plural(started, "target")}; some of what was asked for is left out.`, ...body].join("\n");
}

/** No run: nothing was left to run on, and why. */
export function noTargetsReply(automation: string, notTargets: readonly NotATarget[], skipped: readonly Skip[]): string {
  const first =
    notTargets.length === 0 && skipped.length === 0
      ? `Automation ${code(automation)} was not started: its \`targets\` select no repository the app can access.`
      : `Automation ${code(automation)} was not started: none of its targets is left to run on.`;
  return [
    first,
    ...sections([
      { heading: "Not targets:", lines: notTargets.map((entry) => notTargetLine(automation, entry)), what: "repository" },
      { heading: `Skipped (${skipped.length}):`, lines: skipped.map(skipLine), what: "repository" },
    ]),
  ].join("\n");
}

export interface PlanView {
  automation: string;
  /** `owner/repo` the definition was read from, and its path. */
  definedIn: string;
  requested: readonly string[];
  targets: readonly Target[];
  skipped: readonly Skip[];
  notTargets: readonly NotATarget[];
  /** Why a run would be refused now, if it would. */
  refusal: string | null;
}

/** `plan`: the targets a run would have and what it would skip, starting nothing. */
export function planReply(plan: PlanView): string {
  const repositories = new Set(plan.targets.map((target) => target.repository.toLowerCase())).size;
  const runLine = ["/automation run", plan.automation, ...plan.requested].join(" ");
  const summary =
    plan.targets.length === 0
      ? `**Plan for ${code(plan.automation)}**: no targets, so a run would start nothing.`
      : `**Plan for ${code(plan.automation)}**: ${plural(plan.targets.length, "target")} in ${plural(repositories, "repository", "repositories")}.`;
  const next = plan.refusal ?? `Nothing was started; ${code(runLine)} starts it.`;
  return [
    summary,
    `Defined in ${code(plan.definedIn)}. ${next}`,
    ...sections([
      { heading: `Targets (${plan.targets.length}):`, lines: plan.targets.map((target) => item(code(targetName(target)))), what: "target" },
      { heading: `Skipped (${plan.skipped.length}):`, lines: plan.skipped.map(skipLine), what: "repository" },
      { heading: "Not targets:", lines: plan.notTargets.map((entry) => notTargetLine(plan.automation, entry)), what: "repository" },
    ]),
  ].join("\n");
}

export type ListedAutomation = {
  name: string;
  /** `owner/repo` of the file, when it is not the comment's repository. */
  from: string | null;
} & (
  | { kind: "valid"; enabled: boolean; description: string | null; targets: number | { error: string } }
  | { kind: "invalid"; error: string }
);

/** `list`: the automations available in a repository, its own and its organisation's. */
export function listReply(repository: string, automations: readonly ListedAutomation[], organisationRepository: string | null): string {
  const places = [code(`${repository}:.github/automations/`), ...(organisationRepository ? [code(`${organisationRepository}:.github/automations/`)] : [])];
  if (automations.length === 0) {
    return `There are no automations here: no \`.yml\` file in ${places.join(" or ")} on the default branch.`;
  }
  const rows = automations.map((automation) => {
    const name = automation.from ? `${code(automation.name)} (${code(automation.from)})` : code(automation.name);
    if (automation.kind === "invalid") return `| ${name} | – | – | invalid: ${escapeMarkdownInline(automation.error)} |`;
    const targets = typeof automation.targets === "number" ? String(automation.targets) : `? (${escapeMarkdownInline(automation.targets.error)})`;
    return `| ${name} | ${automation.enabled ? "yes" : "no"} | ${targets} | ${escapeMarkdownInline(automation.description ?? "")} |`;
  });
  return [
    `**Automations here** (${automations.length}), from ${places.join(" and ")}; a repository's own file wins over its organisation's of the same name.`,
    "",
    "| Automation | Enabled | Targets | Description |",
    "| --- | --- | --- | --- |",
    ...fitLines(rows, commentBodyMaxChars - reserved, (n) => `| … and ${plural(n, "more automation")} | | | |`),
    "",
    "`/automation plan <name>` shows an automation's targets; `/automation run <name>` starts it.",
  ].join("\n");
}
