import type { RunComparison } from "../compare-runs.js";
import type { DiffRow } from "../definition-diff.js";
import { paths, pullRequestLink, shortSha, statusBadge, timeAt, triggerLabel } from "../format.js";
import { html, join, type Html } from "../html.js";
import { layout, type Viewer } from "../layout.js";
import type { RunRow } from "../load-runs.js";
import type { ActionRow } from "../load-run.js";
import { formatDuration } from "../../reporting/format-duration.js";

export interface ComparePageOptions {
  viewer: Viewer;
  before: RunRow;
  after: RunRow;
  comparison: RunComparison;
  diff: DiffRow[];
  /** The actions of both runs by target name, for links to each action's page. */
  actionIds: Map<string, { before?: ActionRow; after?: ActionRow }>;
}

export function comparePage(options: ComparePageOptions): Html {
  const { viewer, before, after, comparison, diff } = options;
  const runCell = (run: RunRow) =>
    html`<a href="${paths.run(run.id)}">${statusBadge(run.status)}</a> ${timeAt(run.createdAt)} · ${triggerLabel(run.trigger)} by @${run.trigger.sender} · definition <code>${shortSha(run.definitionSha)}</code>`;
  const changedSecrets = comparison.secrets.filter((s) => s.change !== "same");
  const body = html`
<h1>${after.automation} <span class="muted">compare runs</span></h1>
<table class="compare-runs">
  <tr><th>A (before)</th><td>${runCell(before)}</td></tr>
  <tr><th>B (after)</th><td>${runCell(after)}</td></tr>
</table>
<p><a href="${paths.history(after.definitionRepository, after.automation)}">← history of ${after.automation}</a></p>

<h2>What changed</h2>
<ul class="changes">
  <li id="definition-change">Definition: ${comparison.definitionChanged ? html`<b>changed</b> (<code>${shortSha(before.definitionSha)}</code> → <code>${shortSha(after.definitionSha)}</code>)` : "the same"}</li>
  <li id="trigger-change">Trigger: ${comparison.triggerChanged ? html`<b>changed</b> (${triggerLabel(before.trigger)} by @${before.trigger.sender} → ${triggerLabel(after.trigger)} by @${after.trigger.sender})` : html`the same (${triggerLabel(after.trigger)} by @${after.trigger.sender})`}</li>
  <li id="secrets-change">Secrets: ${
    changedSecrets.length === 0
      ? comparison.secrets.length === 0
        ? "none used"
        : html`the same values (${comparison.secrets.map((s) => s.name).join(", ")})`
      : join(
          changedSecrets.map((s) => html`<b>${s.name}</b> ${s.change === "changed" ? "value changed" : s.change}`),
          ", ",
        )
  }</li>
</ul>

<h2>Targets</h2>
<table class="targets">
  <thead><tr><th>Target</th><th>Status A</th><th>Status B</th><th>Duration A</th><th>Duration B</th><th>PR A</th><th>PR B</th></tr></thead>
  <tbody>${join(
    comparison.targets.map((t) => {
      const ids = options.actionIds.get(t.target);
      const status = (a: ActionRow | undefined, s: RunComparison["targets"][number]["before"]) =>
        s ? (a ? html`<a href="${paths.action(a.id)}">${statusBadge(s.status)}</a>` : statusBadge(s.status)) : html`<span class="muted">not in run</span>`;
      const duration = (s: RunComparison["targets"][number]["before"]) =>
        s?.durationMs != null ? formatDuration(s.durationMs) : "–";
      return html`<tr data-target="${t.target}" class="${t.statusChanged ? "status-changed" : ""}">
    <td>${t.target}</td>
    <td>${status(ids?.before, t.before)}</td>
    <td class="${t.statusChanged ? "changed-cell" : ""}">${status(ids?.after, t.after)}</td>
    <td>${duration(t.before)}</td><td>${duration(t.after)}</td>
    <td>${pullRequestLink(t.before?.pullRequestUrl ?? null, null)}</td>
    <td class="${t.pullRequestChanged ? "changed-cell" : ""}">${pullRequestLink(t.after?.pullRequestUrl ?? null, null)}</td>
  </tr>`;
    }),
  )}</tbody>
</table>

<h2>Definition</h2>
${
  comparison.definitionChanged
    ? html`<table class="diff" id="definition-diff">
  <thead><tr><th class="num"></th><th>A: ${before.definitionPath} @ ${shortSha(before.definitionSha)}</th><th class="num"></th><th>B: ${after.definitionPath} @ ${shortSha(after.definitionSha)}</th></tr></thead>
  <tbody>${join(
    diff.map(
      (row) => html`<tr class="${row.kind}"><td class="num">${row.left?.number ?? ""}</td><td class="l">${row.left?.text ?? ""}</td><td class="num">${row.right?.number ?? ""}</td><td class="r">${row.right?.text ?? ""}</td></tr>`,
    ),
  )}</tbody>
</table>`
    : html`<p class="muted">Both runs executed the same definition.</p>`
}`;
  return layout({ title: `Compare ${after.automation} runs`, viewer, body });
}

