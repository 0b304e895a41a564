import { runStatuses, type RunStatus } from "../runs/statuses.js";
import type { RunTriggerKind } from "../runs/run-trigger.js";

// The Runs page's filters, read from the query string: unknown values are ignored rather than
// failing the page, and what was understood is shown back in the form.

export const triggerKinds = ["comment", "check-rerun", "suite-rerun", "retry-failed", "page"] as const satisfies readonly RunTriggerKind[];

export interface RunFilters {
  automation: string | undefined;
  repository: string | undefined;
  status: RunStatus | undefined;
  trigger: RunTriggerKind | undefined;
  /** 1-based. */
  page: number;
}

export const RUNS_PER_PAGE = 25;

export function parseRunFilters(query: Record<string, string | undefined>): RunFilters {
  const text = (value: string | undefined) => {
    const trimmed = value?.trim();
    return trimmed ? trimmed.slice(0, 200) : undefined;
  };
  const status = runStatuses.find((s) => s === query.status);
  const trigger = triggerKinds.find((t) => t === query.trigger);
  const page = Number.parseInt(query.page ?? "", 10);
  return {
    automation: text(query.automation),
    repository: text(query.repository),
    status,
    trigger,
    page: Number.isFinite(page) && page >= 1 && page <= 100_000 ? page : 1,
  };
}

/** The query string for the same filters on another page (`page` omitted for the first). */
export function runFiltersQuery(filters: RunFilters, page = filters.page): string {
  const params = new URLSearchParams();
  if (filters.automation) params.set("automation", filters.automation);
  if (filters.repository) params.set("repository", filters.repository);
  if (filters.status) params.set("status", filters.status);
  if (filters.trigger) params.set("trigger", filters.trigger);
  if (page > 1) params.set("page", String(page));
  const query = params.toString();
  return query ? `?${query}` : "";
}
