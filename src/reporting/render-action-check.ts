import type { ActionView, StepView } from "../runs/action-view.js";
import { endingStep } from "../runs/ending-step.js";
import type { StepStatus } from "../runs/statuses.js";
import { isFinished } from "../runs/statuses.js";
import { fitHead, fitTail } from "./fit-text.js";
import { codeFenceFor, escapeMarkdownInline, singleLine } from "./markdown.js";
import { formatDuration } from "./format-duration.js";
import { checkRunSummaryMaxChars, checkRunTitleMaxChars } from "./github-limits.js";
import { stripTerminalEscapes } from "./terminal-text.js";

// An action's check run name, title and summary (DESIGN.md §6). Pure: the reporter does the I/O.

export interface ActionCheckOutput {
  name: string;
  title: string;
  summary: string;
}

// Caps on single user strings, so that one long name cannot crowd the log out of the summary.
const stepNameMaxChars = 100;
const reasonMaxChars = 1_000;

const stepStatusLabels: Record<StepStatus, string> = {
  pending: "⏳ Pending",
  running: "🔄 Running",
  done: "✅ Passed",
  failed: "❌ Failed",
  stopped: "⏹️ Cancelled",
  skipped: "⏭️ Skipped",
};

export function renderActionCheck(view: ActionView, options: { now?: Date } = {}): ActionCheckOutput {
  const now = options.now ?? new Date();
  const steps = [...view.steps].sort((a, b) => a.index - b.index);
  const target = view.project ? `${view.repository}/${view.project}` : view.repository;
  const name = `automation: ${view.automation} — ${target}`;
  const title = fitHead(headline(view, steps, singleLine), checkRunTitleMaxChars);
  const summary = renderSummary(view, steps, now);
  return { name, title, summary };
}

function failedStep(view: ActionView, steps: readonly StepView[]): StepView | undefined {
  return endingStep(steps, view.timedOut);
}

function describeStepFailure(step: StepView): string | null {
  const parts: string[] = [];
  if (step.exitCode !== null) parts.push(`exit code ${step.exitCode}`);
  if (step.reason) parts.push(fitHead(step.reason, reasonMaxChars));
  return parts.length > 0 ? parts.join(", ") : null;
}

/** The status line; `text` prepares user strings for where the line goes (title or Markdown). */
function headline(view: ActionView, steps: readonly StepView[], text: (s: string) => string): string {
  const quoted = (step: StepView) => `"${text(fitHead(step.name, stepNameMaxChars))}"`;
  switch (view.status) {
    case "pending":
      return "Queued";
    case "running": {
      const position = steps.findIndex((step) => step.status === "running");
      const current = steps[position];
      if (current) return `Running step ${position + 1} of ${steps.length}: ${text(fitHead(current.name, stepNameMaxChars))}`;
      return steps.some((step) => step.startedAt !== null) ? "Running" : "Starting";
    }
    case "done": {
      const passed = steps.filter((step) => step.status === "done").length;
      if (passed === 0) return "Done";
      return `${passed} ${passed === 1 ? "step" : "steps"} passed`;
    }
    case "failed": {
      const step = failedStep(view, steps);
      if (view.timedOut) return step ? `Timed out in step ${quoted(step)}` : "Timed out";
      if (step) {
        if (step.exitCode !== null) return `Step ${quoted(step)} failed with exit code ${step.exitCode}`;
        if (step.reason) return `Step ${quoted(step)} failed: ${text(fitHead(step.reason, reasonMaxChars))}`;
        return `Step ${quoted(step)} failed`;
      }
      return view.reason ? `Failed: ${text(fitHead(view.reason, reasonMaxChars))}` : "Failed";
    }
    case "stopped":
      return view.startedAt === null ? "Skipped" : "Cancelled";
  }
}

const actionEmoji: Record<ActionView["status"], string> = {
  pending: "⏳",
  running: "🔄",
  done: "✅",
  failed: "❌",
  stopped: "⏹️",
};

function renderSummary(view: ActionView, steps: readonly StepView[], now: Date): string {
  const finished = isFinished(view.status);
  const emoji = view.status === "stopped" && view.startedAt === null ? "⏭️" : actionEmoji[view.status];
  let statusLine = `${emoji} **${headline(view, steps, escapeMarkdownInline)}**`;
  if (finished && view.startedAt && view.finishedAt) {
    statusLine += ` in ${formatDuration(view.finishedAt.getTime() - view.startedAt.getTime())}`;
  }

  const blocks: string[] = [statusLine];
  if (steps.length > 0) blocks.push(renderStepTable(view, steps, now));

  const step = failedStep(view, steps);
  if (view.status === "failed" && step) {
    const position = steps.indexOf(step) + 1;
    const failure = describeStepFailure(step);
    blocks.push(
      `**Failed step:** ${escapeMarkdownInline(fitHead(step.name, stepNameMaxChars))} (step ${position} of ${steps.length})` +
        (failure ? ` — ${escapeMarkdownInline(failure)}` : ""),
    );
  } else if (finished && view.reason) {
    blocks.push(`**Reason:** ${escapeMarkdownInline(fitHead(view.reason, reasonMaxChars))}`);
  }
  if (view.pullRequestUrl) blocks.push(`**Pull request:** ${view.pullRequestUrl}`);

  const head = blocks.join("\n\n");
  // The log gets what the rest leaves; the outer cut only bites with thousands of steps.
  return fitHead(head + renderLogSection(view, checkRunSummaryMaxChars - head.length), checkRunSummaryMaxChars);
}

function renderStepTable(view: ActionView, steps: readonly StepView[], now: Date): string {
  const rows = steps.map((step) => {
    // Once the action has ended, a step still pending will never run.
    const status: StepStatus = step.status === "pending" && isFinished(view.status) ? "skipped" : step.status;
    let label = stepStatusLabels[status];
    const failure = status === "failed" ? describeStepFailure(step) : null;
    if (failure) label += ` (${failure})`;
    const end = step.finishedAt ?? (isFinished(view.status) ? view.finishedAt : null) ?? now;
    const duration = step.startedAt ? formatDuration(end.getTime() - step.startedAt.getTime()) : "–";
    return `| ${escapeMarkdownInline(fitHead(step.name, stepNameMaxChars))} | ${escapeMarkdownInline(label)} | ${duration} |`;
  });
  return ["| Step | Status | Duration |", "| --- | --- | --- |", ...rows].join("\n");
}

function omittedNote(omittedChars: number): string {
  if (omittedChars <= 0) return "";
  return `_The first ${omittedChars.toLocaleString("en-US")} characters of the log are not shown._\n\n`;
}

/** The log's tail in a code block, cut (oldest lines first) so the section fits in `budget`. */
function renderLogSection(view: ActionView, budget: number): string {
  const log = stripTerminalEscapes(view.logTail).replace(/\r\n/g, "\n");
  if (log === "" && view.logOmittedChars === 0) return "";

  const heading = "\n\n#### Log\n\n";
  // The fence depends on the whole log, so it is known before cutting; cutting can only shorten runs.
  const fence = codeFenceFor(log);
  // Reserve room for the largest figure the note could show; the real one is never longer.
  // The 2 are the line break after the opening fence and the one that may end the log.
  const fixed = heading.length + omittedNote(view.logOmittedChars + log.length).length + 2 * fence.length + 2;
  const fitted = fitTail(log, Math.max(0, budget - fixed));
  const note = omittedNote(view.logOmittedChars + fitted.omittedChars);
  const body = fitted.text.endsWith("\n") ? fitted.text : `${fitted.text}\n`;
  return `${heading}${note}${fence}\n${body}${fence}`;
}
