import { describe, expect, it } from "vitest";
import { renderRefusedRerunCheck } from "../../src/reporting/render-refused-rerun.js";
import { runSummaryCheckName } from "../../src/reporting/render-run-summary.js";

const refusal = { reason: "automation hello is disabled (enabled: false in octo/app:.github/automations/hello.yml)", advice: "Set enabled: true." };

describe("the check answering a button that started nothing", () => {
  it("names the button pressed, for each button GitHub shows", () => {
    const titles = (["check-rerun", "suite-rerun", "retry-failed"] as const).map(
      (kind) => renderRefusedRerunCheck({ automation: "hello", trigger: { kind, checkRunId: 1, checkSuiteId: 1, sender: "octocat" }, ...refusal }).title,
    );
    expect(titles.map((t) => t.split(" not started")[0])).toEqual(["Re-run", "Re-run all", "Retry failed"]);
  });

  it("never takes the name of the run's own check, whose conclusion it must not replace", () => {
    const check = renderRefusedRerunCheck({ automation: "hello", trigger: { kind: "check-rerun", checkRunId: 1, sender: "octocat" }, ...refusal });
    expect(check.name).not.toBe(runSummaryCheckName("hello"));
    expect(check.name).toBe("automation: hello — re-run not started");
  });

  it("shows the reason literally and keeps the title within GitHub's limit", () => {
    const check = renderRefusedRerunCheck({
      automation: "hello",
      trigger: { kind: "check-rerun", checkRunId: 1, sender: "octocat" },
      reason: `the definition in a/b:*bold*_x_.yml ${"y".repeat(400)}`,
      advice: "Fix `it`.",
    });
    expect(check.summary).toContain("a/b:\\*bold\\*\\_x\\_.yml");
    expect(check.summary).toContain("Fix \\`it\\`.");
    expect(check.title.length).toBeLessThanOrEqual(255);
    expect(check.title.endsWith("…")).toBe(true);
  });
});
