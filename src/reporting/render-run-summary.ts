import type { ActionStatus, RunStatus } from "../runs/statuses.js";
import type { SkippedTarget } from "../runs/runs.sql.js";
import { checkRunStatus, runCheckStatus, type CheckConclusion, type CheckRunStatus } from "./check-status.js";
import { groupFailures, type FailedActionFacts, type FailureGroup } from "./failure-groups.js";
import { fitHead } from "./fit-text.js";
import { formatDuration } from "./format-duration.js";
import { checkRunSummaryMaxChars, checkRunTitleMaxChars } from "./github-limits.js";
import { escapeMarkdownInline, fencedCodeBlock } from "./markdown.js";

// A run's summary check (DESIGN.md §6): counts, time taken, failures grouped by signature, each
// action with its conclusion and pull request, and the targets left out. Pure: the reporter does
// the I/O.

/** The identifier of the summary check's button that starts the failed targets again. */
export const RETRY_FAILED_IDENTIFIER = "retry-failed";

export interface RunSummaryAction {
  id: string;
  /** `owner/repo` or `owner/repo/project`. */
  target: string;
  status: ActionStatus;
  timedOut: boolean;
  startedAt: Date | null;
  finishedAt: Date | null;
  pullRequestUrl: string | null;
  pullRequestNumber: number | null;
  /** The failing step of a failed action, when a step failed. */
  failedStep: { index: number; name: string; exitCode: number | null; reason: string | null } | null;
  reason: string | null;
  errorLine: string | null;
}

export interface RunSummaryInput {
  automation: string;
  status: RunStatus;
  createdAt: Date;
  finishedAt: Date | null;
  /** In the run's order. */
  actions: readonly RunSummaryAction[];
  skippedTargets: readonly SkippedTarget[];
  /** The app's page of an action, when a public URL is configured. */
  actionUrl?: (actionId: string) => string;
}

export interface RequestedAction {
  label: string;
  identifier: string;
  description: string;
}

export interface RunSummaryCheck {
  name: string;
  title: string;
  summary: string;
  check: CheckRunStatus;
  /** Buttons GitHub shows on the completed check. */
  actions: RequestedAction[];
}

// Caps on parts of the summary, so that one long list cannot crowd out the others.
const failuresShare = 0.45;
const skippedShare = 0.1;
const targetsPerGroup = 30;
const errorLineMaxChars = 500;
const causeMaxChars = 300;

export function runSummaryCheckName(automation: string): string {
  return `automation: ${automation}`;
}

export function renderRunSummary(input: RunSummaryInput, options: { now?: Date } = {}): RunSummaryCheck {
  const now = options.now ?? new Date();
  const counts = countActions(input.actions);
  const check = runCheckStatus(input.status);
  const end = input.finishedAt ?? now;
  const elapsed = formatDuration(end.getTime() - input.createdAt.getTime());

  const head = [statusLine(input.status, counts, elapsed), countsTable(counts, elapsed)].join("\n\n");
  let budget = checkRunSummaryMaxChars - head.length;

  const failures = input.actions.filter((a) => a.status === "failed").map(failureFacts);
  const groups = groupFailures(failures);
  const failureSection = groups.length > 0 ? renderFailures(groups, Math.floor(budget * failuresShare)) : "";
  budget -= failureSection.length;
  const skippedSection =
    input.skippedTargets.length > 0 ? renderSkipped(input.skippedTargets, Math.floor(budget * skippedShare)) : "";
  budget -= skippedSection.length;
  const actionsSection = input.actions.length > 0 ? renderActions(input, now, budget) : "";

  const summary = fitHead([head, failureSection, actionsSection, skippedSection].filter((s) => s !== "").join(""), checkRunSummaryMaxChars);
  const finished = check.status === "completed";
  const requested: RequestedAction[] =
    finished && counts.failed > 0
      ? [
          {
            label: "Retry failed",
            identifier: RETRY_FAILED_IDENTIFIER,
            // GitHub allows 40 characters here.
            description: fitHead(`Run the ${counts.failed} failed ${counts.failed === 1 ? "target" : "targets"} again`, 40),
          },
        ]
      : [];
  return {
    name: runSummaryCheckName(input.automation),
    title: fitHead(title(input.status, counts), checkRunTitleMaxChars),
    summary,
    check,
    actions: requested,
  };
}

interface Counts {
  total: number;
  done: number;
  failed: number;
  stopped: number;
  active: number;
}

function countActions(actions: readonly RunSummaryAction[]): Counts {
  const counts: Counts = { total: actions.length, done: 0, failed: 0, stopped: 0, active: 0 };
  for (const action of actions) {
    if (action.status === "pending" || action.status === "running") counts.active += 1;
    else counts[action.status] += 1;
  }
  return counts;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function title(status: RunStatus, c: Counts): string {
  switch (status) {
    case "pending":
      return `Queued: ${plural(c.total, "action")}`;
    case "running":
      return `${c.total - c.active} of ${plural(c.total, "action")} finished` + (c.failed > 0 ? `, ${c.failed} failed` : "");
    case "done":
      return c.total === 1 ? "The action is done" : `All ${c.total} actions done`;
    case "failed":
      return `${c.failed} of ${plural(c.total, "action")} failed`;
    case "stopped":
      return `Cancelled: ${c.stopped} of ${plural(c.total, "action")} stopped`;
  }
}

const runEmoji: Record<RunStatus, string> = { pending: "⏳", running: "🔄", done: "✅", failed: "❌", stopped: "⏹️" };

function statusLine(status: RunStatus, counts: Counts, elapsed: string): string {
  const headline = `${runEmoji[status]} **${title(status, counts)}**`;
  if (status === "pending") return headline;
  return `${headline} ${status === "running" ? "so far:" : "in"} ${elapsed}`;
}

function countsTable(c: Counts, elapsed: string): string {
  return [
    "| Total | Done | Failed | Stopped | Pending/running | Elapsed |",
    "| ---: | ---: | ---: | ---: | ---: | ---: |",
    `| ${c.total} | ${c.done} | ${c.failed} | ${c.stopped} | ${c.active} | ${elapsed} |`,
  ].join("\n");
}

function failureFacts(action: RunSummaryAction): FailedActionFacts {
  return { target: action.target, step: action.failedStep, reason: action.reason, timedOut: action.timedOut, errorLine: action.errorLine };
}

/**
 * Lines joined under a heading, as many as fit in `budget` with room for the note that says how
 * many were left out.
 */
function fitLines(
  heading: string,
  lines: readonly string[],
  budget: number,
  note: (omitted: number) => string,
  separator = "\n",
): string {
  let text = heading;
  for (const [i, line] of lines.entries()) {
    const omittedAfter = lines.length - i - 1;
    const reserve = omittedAfter > 0 ? note(lines.length).length + 2 : 0;
    if (text.length + separator.length + line.length + reserve > budget) {
      return `${text}\n\n${note(lines.length - i)}`;
    }
    text += `${separator}${line}`;
  }
  return text;
}

function renderFailures(groups: readonly FailureGroup[], budget: number): string {
  const failed = groups.reduce((n, g) => n + g.targets.length, 0);
  const verdict =
    groups.length === 1 && failed > 1
      ? `\n\nAll ${failed} failures share one cause: look at what the targets share (the definition, an image, credentials).`
      : groups.length > 1
        ? `\n\n${failed} failures in ${groups.length} groups; each group shares its step and error (numbers, paths and ids aside).`
        : "";
  const heading = `\n\n### Failures${verdict}`;
  return fitLines(heading, groups.map(renderGroup), budget, (n) => `_${plural(n, "more group")} not shown._`, "\n\n");
}

function renderGroup(group: FailureGroup): string {
  const where = group.step ? `step ${group.step.index + 1} "${escapeMarkdownInline(group.step.name)}"` : "before the steps";
  const cause = escapeMarkdownInline(fitHead(group.cause, causeMaxChars));
  const shown = group.targets.slice(0, targetsPerGroup).map(escapeMarkdownInline).join(", ");
  const more = group.targets.length > targetsPerGroup ? ` and ${group.targets.length - targetsPerGroup} more` : "";
  const parts = [`#### ${plural(group.targets.length, "target")} — ${where}: ${cause}`, `Targets: ${shown}${more}`];
  if (group.errorLine) {
    parts.push(`Last error line (${escapeMarkdownInline(group.targets[0] ?? "")}):`, fencedCodeBlock(fitHead(group.errorLine, errorLineMaxChars)));
  }
  return parts.join("\n\n");
}

// Failures first, then what is still going on, then the rest: the rows a person looks for are
// the ones kept when a long table is cut.
const attentionOrder: Record<CheckConclusion | "in_progress" | "queued", number> = {
  failure: 0,
  timed_out: 0,
  cancelled: 1,
  in_progress: 2,
  queued: 3,
  success: 4,
  skipped: 5,
};

const conclusionLabels: Record<CheckConclusion | "in_progress" | "queued", string> = {
  success: "✅ success",
  failure: "❌ failure",
  timed_out: "⏱️ timed out",
  cancelled: "⏹️ cancelled",
  skipped: "⏭️ skipped",
  in_progress: "🔄 in progress",
  queued: "⏳ queued",
};

function shownState(action: RunSummaryAction): keyof typeof conclusionLabels {
  const check = checkRunStatus(action);
  return check.status === "completed" ? check.conclusion : check.status;
}

function renderActions(input: RunSummaryInput, now: Date, budget: number): string {
  const rows = input.actions
    .map((action, position) => ({ action, position, state: shownState(action) }))
    .sort((a, b) => attentionOrder[a.state] - attentionOrder[b.state] || a.position - b.position)
    .map(({ action, state }) => {
      const target = escapeMarkdownInline(action.target);
      const targetCell = input.actionUrl ? `[${target}](${input.actionUrl(action.id)})` : target;
      const end = action.finishedAt ?? now;
      const duration = action.startedAt ? formatDuration(end.getTime() - action.startedAt.getTime()) : "–";
      const pr = action.pullRequestUrl
        ? `[${action.pullRequestNumber !== null ? `#${action.pullRequestNumber}` : "pull request"}](${action.pullRequestUrl})`
        : "–";
      return `| ${targetCell} | ${conclusionLabels[state]} | ${duration} | ${pr} |`;
    });
  const heading = "\n\n### Actions\n\n| Target | Conclusion | Duration | Pull request |\n| --- | --- | --- | --- |";
  return fitLines(heading, rows, budget, (n) => `_${plural(n, "more action")} not shown; each has its own check run._`);
}

function renderSkipped(skipped: readonly SkippedTarget[], budget: number): string {
  const heading = `\n\n### Skipped targets\n\n${plural(skipped.length, "target")} left out of the run:\n`;
  const lines = skipped.map((s) => `- ${escapeMarkdownInline(s.target)}: ${escapeMarkdownInline(fitHead(s.reason, causeMaxChars))}`);
  return fitLines(heading, lines, budget, (n) => `_${plural(n, "more skipped target")} not shown._`);
}
