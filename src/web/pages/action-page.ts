import { SYSTEM_STEP } from "../../execution/log-writer.js";
import { ansiToHtml } from "../ansi-to-html.js";
import { targetName } from "../compare-runs.js";
import { base, durationBetween, paths, pullRequestLink, statusBadge, timeAt } from "../format.js";
import { html, join, type Html } from "../html.js";
import { csrfField, layout, type Viewer } from "../layout.js";
import type { ActionDetail, LogChunkRow, StepRow } from "../load-run.js";
import { sessionToHtml } from "../session-to-html.js";

export interface ActionPageOptions {
  viewer: Viewer;
  detail: ActionDetail;
  chunks: LogChunkRow[];
  /** More log than the page shows at once: the rest is behind a link to the raw log. */
  truncated: boolean;
  canWrite: boolean;
  now?: Date;
}

export function isLive(detail: ActionDetail): boolean {
  return detail.action.status === "pending" || detail.action.status === "running";
}

export function actionPage(options: ActionPageOptions): Html {
  const { viewer, detail, chunks } = options;
  const { action, run } = detail;
  const live = isLive(detail);
  const last = chunks[chunks.length - 1];
  const liveUrl = `${paths.action(action.id)}/live?after=${last?.id ?? 0}&step=${last?.stepIndex ?? ""}`;
  const target = targetName(action.repository, action.project);
  const body = html`
<h1>${run.automation} <span class="muted">on</span> ${target}</h1>
<p class="muted">
  Action ${action.position + 1} of <a href="${paths.run(run.id)}">its run</a> on ${run.repository} ·
  <a href="${paths.history(run.definitionRepository, run.automation)}">history of ${run.automation}</a> · ref <code>${action.ref}</code>
</p>
<div id="action-live"${live ? html` data-live="${liveUrl}"` : ""}>${actionLive(options)}</div>
<h2>Log ${live ? html`<span class="live-dot" title="live"></span>` : ""}</h2>
${options.truncated ? html`<p class="muted">The log is long: the page shows its beginning; <a href="${paths.action(action.id)}/log.txt">the whole log as text</a>.</p>` : ""}
<pre class="log" id="log">${chunks.length === 0 ? html`<span class="system" id="log-empty">No output yet.</span>` : logChunksHtml(chunks, detail.steps, undefined)}</pre>
${action.session ? html`<h2>Agent session</h2>${sessionToHtml(action.session)}` : ""}`;
  return layout({ title: `${run.automation} on ${target}`, viewer, body, live });
}

/** The part of the action page that changes while it runs: status, failure, PR, steps. */
export function actionLive(options: ActionPageOptions): Html {
  const { viewer, detail, canWrite } = options;
  const { action, steps } = detail;
  const now = options.now ?? new Date();
  const stopping = action.status === "running" && action.cancelRequestedAt !== null;
  const cancellable = canWrite && (action.status === "pending" || (action.status === "running" && !stopping));
  const failedStep = steps.find((s) => s.status === "failed");
  return html`
<div class="summary">
  <div><b>Status</b>${statusBadge(action.status, stopping ? "stopping" : action.status)}</div>
  <div><b>Started</b>${timeAt(action.startedAt)}</div>
  <div><b>Duration</b>${durationBetween(action.startedAt, action.finishedAt, now)}</div>
  <div><b>Pull request</b>${pullRequestLink(action.pullRequestUrl, action.pullRequestNumber)}</div>
  ${action.attempts > 1 ? html`<div><b>Attempts</b>${action.attempts}</div>` : ""}
</div>
${
  cancellable
    ? html`<div class="buttons"><form class="inline" method="post" action="${base}/actions/${action.id}/cancel">${csrfField(viewer)}<button class="danger" type="submit">Cancel action</button></form></div>`
    : ""
}
${failureHtml(options.detail, failedStep)}
<table class="steps">
  <thead><tr><th>#</th><th>Step</th><th>Status</th><th>Duration</th><th>Exit code</th><th>Reason</th></tr></thead>
  <tbody>${join(
    steps.map(
      (s) => html`<tr data-step="${s.index}">
    <td>${s.index + 1}</td><td>${s.name}</td><td>${statusBadge(s.status)}</td>
    <td>${durationBetween(s.startedAt, s.finishedAt, now)}</td><td>${s.exitCode ?? ""}</td><td>${s.reason ?? ""}</td>
  </tr>`,
    ),
  )}</tbody>
</table>`;
}

function failureHtml(detail: ActionDetail, failedStep: StepRow | undefined): Html | string {
  const { action } = detail;
  if (action.status !== "failed" && action.status !== "stopped") return "";
  const parts: Html[] = [];
  if (action.reason) parts.push(html`<div><b>${action.status === "failed" ? "Failed" : "Stopped"}:</b> ${action.reason}</div>`);
  if (failedStep) {
    parts.push(
      html`<div>Step ${failedStep.index + 1} “${failedStep.name}” failed${
        failedStep.exitCode !== null ? html` with exit code ${failedStep.exitCode}` : ""
      }${failedStep.reason ? html`: ${failedStep.reason}` : ""}.</div>`,
    );
  }
  if (action.errorLine) parts.push(html`<div>Last error line: <code>${action.errorLine}</code></div>`);
  if (action.timedOut) parts.push(html`<div>The action's time limit ended it.</div>`);
  if (parts.length === 0) return "";
  return html`<div class="failure">${join(parts)}</div>`;
}

/**
 * Log chunks as HTML, ANSI colours kept, with a marker line where the output of another step
 * begins. `previousStep` is the step of the chunk before the first one (undefined at the start).
 */
export function logChunksHtml(chunks: readonly LogChunkRow[], steps: readonly StepRow[], previousStep: number | undefined): Html {
  const parts: Html[] = [];
  let step = previousStep;
  let atLineStart = true;
  for (const chunk of chunks) {
    if (chunk.stepIndex !== step) {
      step = chunk.stepIndex;
      const name = chunk.stepIndex === SYSTEM_STEP ? "Automations" : steps.find((s) => s.index === chunk.stepIndex)?.name ?? `step ${chunk.stepIndex + 1}`;
      parts.push(html`${atLineStart ? "" : "\n"}<span class="step-mark">▸ ${name}</span>\n`);
    }
    parts.push(html`<span class="${chunk.stream}">${ansiToHtml(chunk.content)}</span>`);
    atLineStart = chunk.content.endsWith("\n");
  }
  return join(parts);
}
