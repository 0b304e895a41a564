import type { ActionView } from "../runs/action-view.js";

// The action status → check run mapping of DESIGN.md §2; nothing else decides it.

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
