import { countsSummary, durationBetween, paths, shortSha, statusBadge, timeAt, triggerLabel } from "../format.js";
import { html, join, type Html } from "../html.js";
import { layout, type Viewer } from "../layout.js";
import { HISTORY_LIMIT } from "../load-history.js";
import type { RunListItem } from "../load-runs.js";

export interface HistoryPageOptions {
  viewer: Viewer;
  definitionRepository: string;
  automation: string;
  items: RunListItem[];
  /** What the Run section shows: a form, why it cannot run, or nothing. */
  runSection: Html | string;
  now?: Date;
}

/** An automation's runs over time, each marked where its definition, secrets or trigger changed. */
export function historyPage(options: HistoryPageOptions): Html {
  const { viewer, definitionRepository, automation, items } = options;
  const base = paths.history(definitionRepository, automation);
  const body = html`
<h1>${automation} <span class="muted">history</span></h1>
<p class="muted">Defined in ${definitionRepository} · the latest ${HISTORY_LIMIT} runs in repositories you can read, newest first.
Pick two runs to compare what changed between them.</p>
${options.runSection}
${
  items.length === 0
    ? html`<p class="muted">No runs of ${automation} yet in repositories you can read.</p>`
    : html`<form method="get" action="${base}/compare">
<table class="history">
  <thead><tr><th title="compare from">A</th><th title="compare to">B</th><th>Status</th><th>Started</th><th>Duration</th><th>Actions</th><th>Definition</th><th>Trigger</th><th>Secrets</th></tr></thead>
  <tbody>
  ${join(
    items.map(({ run, counts }, i) => {
      const older = items[i + 1]?.run;
      const definitionChanged = older !== undefined && older.definitionSha !== run.definitionSha;
      const secrets = fingerprintsText(run.secretFingerprints);
      const secretsChanged = older !== undefined && fingerprintsText(older.secretFingerprints) !== secrets;
      const triggerChanged = older !== undefined && (older.trigger.kind !== run.trigger.kind || older.trigger.sender !== run.trigger.sender);
      return html`<tr data-run="${run.id}">
    <td><input type="radio" name="a" value="${run.id}"${i === 1 ? " checked" : ""} aria-label="compare from this run"></td>
    <td><input type="radio" name="b" value="${run.id}"${i === 0 ? " checked" : ""} aria-label="compare to this run"></td>
    <td><a href="${paths.run(run.id)}">${statusBadge(run.status)}</a></td>
    <td>${timeAt(run.createdAt)}</td>
    <td>${durationBetween(run.createdAt, run.finishedAt, options.now)}</td>
    <td>${countsSummary(counts)}</td>
    <td class="${definitionChanged ? "changed-cell" : ""}" title="definition blob SHA"><code>${shortSha(run.definitionSha)}</code>${definitionChanged ? " changed" : ""}</td>
    <td class="${triggerChanged ? "changed-cell" : ""}">${triggerLabel(run.trigger)} by @${run.trigger.sender}</td>
    <td class="${secretsChanged ? "changed-cell" : ""}">${secrets ? html`<code>${secrets}</code>` : html`<span class="muted">none</span>`}</td>
  </tr>`;
    }),
  )}
  </tbody>
</table>
${items.length >= 2 ? html`<button type="submit">Compare A → B</button>` : ""}
</form>`
}`;
  return layout({ title: `${automation} history`, viewer, body });
}

/** Secret names with the start of their fingerprints: enough to see a value changed, nothing of the value. */
export function fingerprintsText(fingerprints: Record<string, string>): string {
  return Object.keys(fingerprints)
    .sort()
    .map((name) => `${name}:${(fingerprints[name] ?? "").slice(0, 8)}`)
    .join(" ");
}
