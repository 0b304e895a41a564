import type { ButtonTrigger } from "../runs/run-trigger.js";
import { fitHead } from "./fit-text.js";
import { checkRunSummaryMaxChars, checkRunTitleMaxChars } from "./github-limits.js";
import { escapeMarkdownInline } from "./markdown.js";

// The check run that answers a button pressed for nothing: a Re-run, Re-run all or retry-failed
// that started no run. A button has no comment to reply to, so the answer goes where it was
// pressed. Pure: the caller does the I/O.

export interface RefusedRerunInput {
  automation: string;
  trigger: ButtonTrigger;
  /** Why nothing was started, as a sentence without its full stop. */
  reason: string;
  /** What to do about it. */
  advice: string;
}

export interface RefusedRerunCheck {
  name: string;
  title: string;
  summary: string;
}

const buttons: Record<ButtonTrigger["kind"], string> = {
  "check-rerun": "Re-run",
  "suite-rerun": "Re-run all",
  "retry-failed": "Retry failed",
};

/**
 * Named apart from the run's own checks (`automation: <name>`, and `… — owner/repo` for an
 * action): its conclusion is neutral, and a neutral check of a run's name would count as passing
 * where that check is required.
 */
export function refusedRerunCheckName(automation: string): string {
  return `automation: ${automation} — re-run not started`;
}

export function renderRefusedRerunCheck(input: RefusedRerunInput): RefusedRerunCheck {
  const button = buttons[input.trigger.kind];
  const summary = [
    `@${escapeMarkdownInline(input.trigger.sender)} pressed **${button}** for \`${input.automation}\`, and no run was started: ${escapeMarkdownInline(input.reason)}.`,
    escapeMarkdownInline(input.advice),
  ].join("\n\n");
  return {
    name: refusedRerunCheckName(input.automation),
    title: fitHead(`${button} not started: ${input.reason}`, checkRunTitleMaxChars),
    summary: fitHead(summary, checkRunSummaryMaxChars),
  };
}
