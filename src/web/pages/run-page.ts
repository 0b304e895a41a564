import { randomUUID } from "node:crypto";
import { targetName } from "../compare-runs.js";
import {
  base,
  durationBetween,
  paths,
  pullRequestLink,
  shortSha,
  statusBadge,
  timeAt,
  triggerDescription,
} from "../format.js";
import { canRead, canWrite, type AccessMap } from "../access.js";
import { html, join, type Html } from "../html.js";
import { csrfField, layout, type Viewer } from "../layout.js";
import type { RunDetail } from "../load-run.js";

export interface RunPageOptions {
  viewer: Viewer;
  detail: RunDetail;
  access: AccessMap;
  githubUrl: string;
  /** Whether a retry of the failed targets can be started from here. */
  retryAvailable: boolean;
  now?: Date;
}

export function runPage(options: RunPageOptions): Html {
  const { viewer, detail, githubUrl } = options;
  const { run } = detail;
  const live = run.status === "pending" || run.status === "running";
  const definitionUrl = `${githubUrl}/${run.definitionRepository}/blob/${run.definitionSha}/${run.definitionPath}`;
  const body = html`
<h1>${run.automation} <span class="muted">run</span> ${statusBadge(run.status)}</h1>
<p class="muted">
  On ${run.repository} at <code>${shortSha(run.headSha)}</code> · started by ${triggerDescription(run.trigger, run.repository, githubUrl)}
  · ${timeAt(run.createdAt)} · <a href="${paths.history(run.definitionRepository, run.automation)}">history of ${run.automation}</a>
  ${run.rerunOf ? html` · re-run of <a href="${paths.run(run.rerunOf)}">an earlier run</a>` : ""}
</p>
<div id="run-live"${live ? html` data-live="${paths.run(run.id)}/live"` : ""}>${runLive(options)}</div>
${
  run.skippedTargets.length > 0
    ? html`<h2>Targets left out</h2><table><thead><tr><th>Target</th><th>Why</th></tr></thead><tbody>${join(
        run.skippedTargets.map((s) => html`<tr><td>${s.target}</td><td>${s.reason}</td></tr>`),
      )}</tbody></table>`
    : ""
}
<h2>Configuration</h2>
<p class="muted">
  <a href="${definitionUrl}">${run.definitionRepository}:${run.definitionPath}</a> at blob <code>${shortSha(run.definitionSha)}</code>
  ${Object.keys(run.secretFingerprints).length > 0 ? html` · secrets: ${Object.keys(run.secretFingerprints).sort().join(", ")}` : ""}
</p>
<details open><summary>Definition this run executed with</summary><pre class="definition">${run.definitionSource}</pre></details>`;
  return layout({ title: `${run.automation} run`, viewer, body, live });
}

/** The part of the run page that changes while it runs: summary, buttons, actions. */
export function runLive(options: RunPageOptions): Html {
  const { viewer, detail, access } = options;
  const { run, counts } = detail;
  const writable = canWrite(access, run.repository);
  const active = counts.pending + counts.running;
  const now = options.now ?? new Date();
  const buttons: Html[] = [];
  if (writable && active > 0) {
    buttons.push(html`<form class="inline" method="post" action="${paths.run(run.id)}/cancel">${csrfField(viewer)}<button class="danger" type="submit">Cancel run</button></form>`);
  }
  if (writable && active === 0 && counts.failed > 0 && options.retryAvailable) {
    buttons.push(html`<form class="inline" method="post" action="${paths.run(run.id)}/retry-failed">${csrfField(viewer)}<input type="hidden" name="request" value="${randomUUID()}"><button type="submit">Retry ${counts.failed} failed</button></form>`);
  }
  return html`
<div class="summary">
  <div><b>Total</b>${counts.total}</div>
  <div><b>Done</b><span class="c-done">${counts.done}</span></div>
  <div><b>Failed</b><span class="c-failed">${counts.failed}</span></div>
  <div><b>Stopped</b><span class="c-stopped">${counts.stopped}</span></div>
  <div><b>Pending / running</b><span class="c-running">${counts.pending} / ${counts.running}</span></div>
  <div><b>Elapsed</b>${durationBetween(run.createdAt, run.finishedAt, now)}</div>
  ${run.cancelledBy ? html`<div><b>Cancelled by</b>@${run.cancelledBy}</div>` : ""}
</div>
${buttons.length > 0 ? html`<div class="buttons">${join(buttons)}</div>` : ""}
${writable ? "" : html`<p class="muted">You can read ${run.repository} but not write to it, so cancelling and retrying are not offered.</p>`}
<table class="actions">
  <thead><tr><th>Target</th><th>Status</th><th>Duration</th><th>Pull request</th><th>Reason</th><th></th></tr></thead>
  <tbody>
  ${join(
    detail.actions.map((action) => {
      if (!canRead(access, action.repository)) {
        return html`<tr class="hidden-target"><td>a repository you cannot read</td><td>${statusBadge(action.status)}</td><td colspan="4"></td></tr>`;
      }
      const cancellable = writable && (action.status === "pending" || (action.status === "running" && !action.cancelRequestedAt));
      return html`<tr data-action="${action.id}">
    <td><a href="${paths.action(action.id)}">${targetName(action.repository, action.project)}</a></td>
    <td>${statusBadge(action.status, action.cancelRequestedAt && action.status === "running" ? "stopping" : action.status)}</td>
    <td>${durationBetween(action.startedAt, action.finishedAt, now)}</td>
    <td>${pullRequestLink(action.pullRequestUrl, action.pullRequestNumber)}</td>
    <td>${action.status === "failed" || action.status === "stopped" ? action.reason ?? action.errorLine ?? "" : ""}</td>
    <td>${
      cancellable
        ? html`<form class="inline" method="post" action="${base}/actions/${action.id}/cancel">${csrfField(viewer)}<button class="danger" type="submit">Cancel</button></form>`
        : ""
    }</td>
  </tr>`;
    }),
  )}
  </tbody>
</table>`;
}
