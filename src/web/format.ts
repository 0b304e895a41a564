import { formatDuration } from "../reporting/format-duration.js";
import type { RunTrigger } from "../runs/run-trigger.js";
import type { ActionStatus, RunStatus, StepStatus } from "../runs/statuses.js";
import { html, type Html } from "./html.js";
import type { ActionCounts } from "./load-runs.js";

// Small pieces every page shows the same way: statuses, times, durations, triggers, links.

export const base = "/automations";

export const paths = {
  runs: () => base,
  run: (id: string) => `${base}/runs/${id}`,
  action: (id: string) => `${base}/actions/${id}`,
  history: (definitionRepository: string, automation: string) =>
    `${base}/history/${definitionRepository}/${encodeURIComponent(automation)}`,
};

export function statusBadge(status: RunStatus | ActionStatus | StepStatus, label: string = status): Html {
  return html`<span class="status status-${status}">${label}</span>`;
}

export function timeAt(date: Date | null): Html {
  if (!date) return html`<span class="muted">–</span>`;
  const iso = date.toISOString();
  return html`<time datetime="${iso}" title="${iso}">${iso.slice(0, 16).replace("T", " ")} UTC</time>`;
}

/** How long something took, or has taken so far when it has not finished. */
export function durationBetween(start: Date | null, end: Date | null, now: Date = new Date()): string {
  if (!start) return "–";
  return formatDuration((end ?? now).getTime() - start.getTime());
}

export function countsSummary(c: ActionCounts): Html {
  const active = c.pending + c.running;
  return html`<span class="counts"
    ><span title="total">${c.total} total</span>${c.done ? html` · <span class="c-done">${c.done} done</span>` : ""}${
      c.failed ? html` · <span class="c-failed">${c.failed} failed</span>` : ""
    }${c.stopped ? html` · <span class="c-stopped">${c.stopped} stopped</span>` : ""}${
      active ? html` · <span class="c-running">${active} pending/running</span>` : ""
    }</span
  >`;
}

/** Who started a run and from where, linked to the place on GitHub when there is one. */
export function triggerDescription(trigger: RunTrigger, repository: string, githubUrl: string): Html {
  const who = html`<a href="${githubUrl}/${trigger.sender}">@${trigger.sender}</a>`;
  switch (trigger.kind) {
    case "comment": {
      const url = `${githubUrl}/${repository}/${trigger.isPullRequest ? "pull" : "issues"}/${trigger.issueNumber}#issuecomment-${trigger.commentId}`;
      return html`${who} in a comment on <a href="${url}">${repository}#${trigger.issueNumber}</a>`;
    }
    case "check-rerun":
      return html`${who} with Re-run on a check in ${repository}`;
    case "suite-rerun":
      return html`${who} with Re-run all checks in ${repository}`;
    case "retry-failed":
      return html`${who} with Retry failed in ${repository}`;
    case "page":
      return html`${who} from these pages`;
  }
}

export function triggerLabel(trigger: RunTrigger): string {
  const labels: Record<RunTrigger["kind"], string> = {
    comment: "comment",
    "check-rerun": "check re-run",
    "suite-rerun": "suite re-run",
    "retry-failed": "retry failed",
    page: "pages",
  };
  return labels[trigger.kind];
}

export function pullRequestLink(url: string | null, number: number | null): Html {
  if (!url) return html`<span class="muted">–</span>`;
  const label = number ? `#${number}` : url.replace(/^.*\/pull\//, "#");
  return html`<a href="${url}">${label}</a>`;
}

export function shortSha(sha: string): string {
  return sha.slice(0, 7);
}
