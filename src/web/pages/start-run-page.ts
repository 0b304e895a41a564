import { randomUUID } from "node:crypto";
import { targetName } from "../compare-runs.js";
import { shortSha } from "../format.js";
import { html, join, type Html } from "../html.js";
import { csrfField, layout, type Viewer } from "../layout.js";
import type { RunPlan } from "../run-from-page.js";

export interface StartRunPageOptions {
  viewer: Viewer;
  automation: string;
  /** This page's address, without a query. */
  action: string;
  historyUrl: string;
  /** The repository the run is started in, and the others it could be. */
  repository: string;
  repositories: string[];
  plan: RunPlan;
  /** Targets chosen to confirm; null: still choosing. */
  chosen: string[] | null;
}

/** Run an automation: choose the repository and targets, confirm the list, start. */
export function startRunPage(options: StartRunPageOptions): Html {
  const { viewer, automation, plan } = options;
  const head = html`<h1>Run ${automation}</h1>
<p><a href="${options.historyUrl}">← history of ${automation}</a></p>
${
  options.repositories.length > 1
    ? html`<form class="filters" method="get" action="${options.action}"><label>Start it in <select name="in">${join(
        options.repositories.map((r) => html`<option value="${r}"${r === options.repository ? " selected" : ""}>${r}</option>`),
      )}</select></label><button type="submit">Change</button></form>`
    : html`<p class="muted">Started in ${options.repository}: its checks go on the head of its default branch.</p>`
}`;
  let body: Html;
  switch (plan.kind) {
    case "refused":
      body = html`<p class="message" id="cannot-run">${plan.message}</p>`;
      break;
    case "invalid":
      body = html`<div class="failure" id="cannot-run"><b>The definition in ${plan.where} is not valid</b>, so it cannot run:<ul>${join(plan.errors.map((e) => html`<li><code>${e}</code></li>`))}</ul></div>`;
      break;
    case "disabled":
      body = html`<p class="message" id="cannot-run">${automation} is disabled: <code>enabled: false</code> in ${plan.where}. Set <code>enabled: true</code> on the default branch to run it again.</p>`;
      break;
    case "ready":
      body = options.chosen === null ? chooseTargets(options, plan) : confirmTargets(options, plan, options.chosen);
      break;
  }
  return layout({ title: `Run ${automation}`, viewer, body: html`${head}${body}` });
}

type Ready = Extract<RunPlan, { kind: "ready" }>;

function chooseTargets(options: StartRunPageOptions, plan: Ready): Html {
  return html`<p class="muted">Definition ${plan.where} at blob <code>${shortSha(plan.file.sha)}</code> · ${plan.targets.length} target${plan.targets.length === 1 ? "" : "s"} you can run.</p>
${
  plan.targets.length === 0
    ? html`<p class="message" id="cannot-run">No target can be run by you now.</p>`
    : html`<form method="get" action="${options.action}">
  <input type="hidden" name="in" value="${options.repository}">
  <input type="hidden" name="confirm" value="1">
  <table class="targets"><thead><tr><th></th><th>Target</th><th>Commit</th></tr></thead><tbody>
  ${join(
    plan.targets.map((t) => {
      const name = targetName(t.repository, t.project);
      return html`<tr><td><input type="checkbox" name="target" value="${name}" checked aria-label="${name}"></td><td>${name}</td><td><code>${shortSha(t.ref)}</code></td></tr>`;
    }),
  )}
  </tbody></table>
  <button type="submit">Review</button>
</form>`
}
${skippedList(plan)}`;
}

function confirmTargets(options: StartRunPageOptions, plan: Ready, chosen: string[]): Html {
  const names = new Set(chosen);
  const targets = plan.targets.filter((t) => names.has(targetName(t.repository, t.project)));
  if (targets.length === 0) {
    return html`<p class="message" id="cannot-run">No target was chosen. <a href="${options.action}?in=${encodeURIComponent(options.repository)}">Choose targets</a>.</p>`;
  }
  return html`<h2>Start ${targets.length} action${targets.length === 1 ? "" : "s"}?</h2>
<p class="muted">Definition ${plan.where} at blob <code>${shortSha(plan.file.sha)}</code>.</p>
<ul id="confirm-targets">${join(targets.map((t) => html`<li>${targetName(t.repository, t.project)} at <code>${shortSha(t.ref)}</code></li>`))}</ul>
<form method="post" action="${options.action}">
  ${csrfField(options.viewer)}
  <input type="hidden" name="in" value="${options.repository}">
  <input type="hidden" name="request" value="${randomUUID()}">
  ${join(targets.map((t) => html`<input type="hidden" name="target" value="${targetName(t.repository, t.project)}">`))}
  <button class="primary" type="submit">Start the run</button>
  <a href="${options.action}?in=${encodeURIComponent(options.repository)}">Change targets</a>
</form>`;
}

function skippedList(plan: Ready): Html | string {
  if (plan.skipped.length === 0) return "";
  return html`<h2>Left out</h2><table><thead><tr><th>Repository</th><th>Why</th></tr></thead><tbody>${join(
    plan.skipped.map((s) => html`<tr><td>${s.target}</td><td>${s.reason}</td></tr>`),
  )}</tbody></table>`;
}
