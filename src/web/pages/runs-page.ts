import { runStatuses } from "../../runs/statuses.js";
import { countsSummary, durationBetween, paths, statusBadge, timeAt, triggerDescription } from "../format.js";
import { html, join, type Html } from "../html.js";
import { layout, type Viewer } from "../layout.js";
import type { RunListItem } from "../load-runs.js";
import { runFiltersQuery, triggerKinds, type RunFilters } from "../run-filters.js";

export function runsPage(options: {
  viewer: Viewer;
  filters: RunFilters;
  items: RunListItem[];
  hasMore: boolean;
  githubUrl: string;
  now?: Date;
}): Html {
  const { viewer, filters, items, hasMore, githubUrl } = options;
  const option = (value: string, selected: string | undefined) =>
    html`<option value="${value}"${value === selected ? " selected" : ""}>${value}</option>`;
  const body = html`
<h1>Runs</h1>
<form class="filters" method="get" action="${paths.runs()}">
  <label>Automation <input name="automation" value="${filters.automation ?? ""}" placeholder="any"></label>
  <label>Repository <input name="repository" value="${filters.repository ?? ""}" placeholder="owner/repo"></label>
  <label>Status <select name="status"><option value="">any</option>${join(runStatuses.map((s) => option(s, filters.status)))}</select></label>
  <label>Trigger <select name="trigger"><option value="">any</option>${join(triggerKinds.map((t) => option(t, filters.trigger)))}</select></label>
  <button type="submit">Filter</button>
  <a href="${paths.runs()}">Clear</a>
</form>
${
  items.length === 0
    ? html`<p class="muted">No runs ${filters.page > 1 ? "on this page" : "match these filters in the repositories you can read"}.</p>`
    : html`<table class="runs">
  <thead><tr><th>Status</th><th>Automation</th><th>Repository</th><th>Actions</th><th>Triggered by</th><th>Started</th><th>Duration</th></tr></thead>
  <tbody>
  ${join(
    items.map(
      ({ run, counts }) => html`<tr data-run="${run.id}">
    <td><a href="${paths.run(run.id)}">${statusBadge(run.status)}</a></td>
    <td><a href="${paths.run(run.id)}">${run.automation}</a> <a class="muted" href="${paths.history(run.definitionRepository, run.automation)}" title="history">history</a></td>
    <td>${run.repository}</td>
    <td>${countsSummary(counts)}</td>
    <td>${triggerDescription(run.trigger, run.repository, githubUrl)}</td>
    <td>${timeAt(run.createdAt)}</td>
    <td>${durationBetween(run.createdAt, run.finishedAt, options.now)}</td>
  </tr>`,
    ),
  )}
  </tbody>
</table>`
}
<div class="pager">
  ${filters.page > 1 ? html`<a href="${paths.runs()}${runFiltersQuery(filters, filters.page - 1)}">← Newer</a>` : ""}
  ${hasMore ? html`<a href="${paths.runs()}${runFiltersQuery(filters, filters.page + 1)}">Older →</a>` : ""}
</div>`;
  return layout({ title: "Runs", viewer, body });
}
