import { describe, expect, it } from "vitest";
import { checkRunStatus, type CheckRunStatus } from "../../src/reporting/check-status.js";
import type { ActionStatus } from "../../src/runs/statuses.js";

const started = new Date("2025-01-01T10:00:00Z");

describe("checkRunStatus", () => {
  const cases: { behaviour: string; status: ActionStatus; timedOut?: boolean; startedAt: Date | null; expected: CheckRunStatus }[] = [
    { behaviour: "a pending action shows as queued", status: "pending", startedAt: null, expected: { status: "queued" } },
    { behaviour: "a running action shows as in progress", status: "running", startedAt: started, expected: { status: "in_progress" } },
    {
      behaviour: "a finished action shows as succeeded",
      status: "done",
      startedAt: started,
      expected: { status: "completed", conclusion: "success" },
    },
    {
      behaviour: "a failed action shows as failed",
      status: "failed",
      startedAt: started,
      expected: { status: "completed", conclusion: "failure" },
    },
    {
      behaviour: "an action ended by its time limit shows as timed out",
      status: "failed",
      timedOut: true,
      startedAt: started,
      expected: { status: "completed", conclusion: "timed_out" },
    },
    {
      behaviour: "an action stopped while it ran shows as cancelled",
      status: "stopped",
      startedAt: started,
      expected: { status: "completed", conclusion: "cancelled" },
    },
    {
      behaviour: "an action stopped before it started shows as skipped",
      status: "stopped",
      startedAt: null,
      expected: { status: "completed", conclusion: "skipped" },
    },
  ];

  it.each(cases)("$behaviour", ({ status, timedOut = false, startedAt, expected }) => {
    expect(checkRunStatus({ status, timedOut, startedAt })).toEqual(expected);
  });
});
