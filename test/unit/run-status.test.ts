import { describe, expect, it } from "vitest";
import { deriveRunStatus, type ActionStatus, type RunStatus } from "../../src/runs/statuses.js";

describe("deriveRunStatus", () => {
  const cases: { behaviour: string; actions: ActionStatus[]; expected: RunStatus }[] = [
    { behaviour: "a run with no actions yet is pending", actions: [], expected: "pending" },
    { behaviour: "a run whose actions all wait is pending", actions: ["pending", "pending"], expected: "pending" },
    { behaviour: "a run is running once one action runs", actions: ["pending", "running"], expected: "running" },
    { behaviour: "a run is running while some actions still wait", actions: ["done", "pending"], expected: "running" },
    { behaviour: "a failure does not end the run while others still run", actions: ["failed", "running"], expected: "running" },
    { behaviour: "a run whose actions all succeeded is done", actions: ["done", "done"], expected: "done" },
    { behaviour: "a run with one failed action has failed", actions: ["done", "failed", "done"], expected: "failed" },
    { behaviour: "a failure outweighs a stop", actions: ["stopped", "failed"], expected: "failed" },
    { behaviour: "a run with a stopped action and no failure is stopped", actions: ["done", "stopped"], expected: "stopped" },
    { behaviour: "a run whose waiting actions were all cancelled is stopped", actions: ["stopped", "stopped"], expected: "stopped" },
  ];

  it.each(cases)("$behaviour", ({ actions, expected }) => {
    expect(deriveRunStatus(actions)).toBe(expected);
  });
});
