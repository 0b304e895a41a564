// The statuses of DESIGN.md §2, in one place.

export const actionStatuses = ["pending", "running", "done", "failed", "stopped"] as const;
export type ActionStatus = (typeof actionStatuses)[number];

export const runStatuses = ["pending", "running", "done", "failed", "stopped"] as const;
export type RunStatus = (typeof runStatuses)[number];

// A step that never started because an earlier one failed is `skipped`.
export const stepStatuses = ["pending", "running", "done", "failed", "stopped", "skipped"] as const;
export type StepStatus = (typeof stepStatuses)[number];

export type FinishedActionStatus = Extract<ActionStatus, "done" | "failed" | "stopped">;

export function isFinished(status: ActionStatus): status is FinishedActionStatus {
  return status === "done" || status === "failed" || status === "stopped";
}

/** A run's status derives from its actions (DESIGN.md §2). */
export function deriveRunStatus(actions: readonly ActionStatus[]): RunStatus {
  if (actions.length === 0 || actions.every((s) => s === "pending")) return "pending";
  if (actions.some((s) => s === "pending" || s === "running")) return "running";
  if (actions.some((s) => s === "failed")) return "failed";
  if (actions.some((s) => s === "stopped")) return "stopped";
  return "done";
}
