import type { ActionView } from "../runs/action-view.js";
import type { RunStatus } from "../runs/statuses.js";

// The status → check run mappings of DESIGN.md §2, for actions and runs; nothing else decides them.

export type CheckConclusion = "success" | "failure" | "timed_out" | "cancelled" | "skipped";

export type CheckRunStatus =
  | { status: "queued" }
  | { status: "in_progress" }
  | { status: "completed"; conclusion: CheckConclusion };

export function checkRunStatus(action: Pick<ActionView, "status" | "timedOut" | "startedAt">): CheckRunStatus {
  switch (action.status) {
    case "pending":
      return { status: "queued" };
    case "running":
      return { status: "in_progress" };
    case "done":
      return { status: "completed", conclusion: "success" };
    case "failed":
      return { status: "completed", conclusion: action.timedOut ? "timed_out" : "failure" };
    case "stopped":
      // A target stopped before it started did no work, so it reads as skipped, not cancelled.
      return { status: "completed", conclusion: action.startedAt === null ? "skipped" : "cancelled" };
    default: {
      const unknown: never = action.status;
      throw new Error(`Unknown action status "${String(unknown)}"`);
    }
  }
}

/**
 * The run status → summary check mapping: DESIGN.md §2 applied to the run as to an action that
 * started, so a run whose actions were stopped (and none failed) reads `cancelled`.
 */
export function runCheckStatus(status: RunStatus): CheckRunStatus {
  return checkRunStatus({ status, timedOut: false, startedAt: RUN_STARTED });
}

// Any start time: a run's status alone decides its conclusion.
const RUN_STARTED = new Date(0);
