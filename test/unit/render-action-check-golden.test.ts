import { describe, expect, it } from "vitest";
import { renderActionCheck } from "../../src/reporting/render-action-check.js";
import { checkRunSummaryMaxChars } from "../../src/reporting/github-limits.js";
import type { ActionView } from "../../src/runs/action-view.js";

// An action's check summary as GitHub receives it, golden below the size limit, and measured
// at and past it, with colour codes and unicode in the log.

const t0 = new Date("2026-03-01T10:00:00.000Z");
const at = (ms: number) => new Date(t0.getTime() + ms);
const now = at(400_000);

const colouredLine = (i: number) => `\u001b[32m✔\u001b[0m test ${i} — ünïcødé 日本語 🚀 \u001b[1;31mfailed\u001b[0m in /srv/app/test-${i}.ts`;

function failedAction(logLines: number): ActionView {
  return {
    id: "0b8f7f0e-5c1b-4a8e-9d1e-1f2a3b4c5d6e",
    automation: "upgrade-node",
    repository: "acme/web",
    project: "services/billing",
    status: "failed",
    reason: 'step "Test" failed with exit code 1',
    timedOut: false,
    startedAt: at(0),
    finishedAt: at(185_200),
    steps: [
      { index: 0, name: "Install", status: "done", exitCode: 0, reason: null, startedAt: at(0), finishedAt: at(1_200), continueOnError: false },
      { index: 1, name: "Test", status: "failed", exitCode: 1, reason: null, startedAt: at(1_200), finishedAt: at(185_200), continueOnError: false },
    ],
    logTail: Array.from({ length: logLines }, (_, i) => `${colouredLine(i)}\n`).join(""),
    logOmittedChars: 0,
    pullRequestUrl: "https://github.com/acme/web/pull/12",
  };
}

const cutNote = /_The first [\d,]+ characters of the log are not shown\._/;

describe("an action's check summary", () => {
  it("below the limit: the whole log, colour codes stripped, unicode intact (golden)", async () => {
    const { name, summary } = renderActionCheck(failedAction(3), { now });
    expect(name).toBe("automation: upgrade-node — acme/web/services/billing");
    expect(summary).not.toContain("\u001b");
    expect(summary).toContain("日本語 🚀");
    await expect(summary).toMatchFileSnapshot("./golden/action-check-failed.md");
  });

  it("at the limit: the whole log as long as it fits, then the oldest lines cut with a note", () => {
    let low = 1;
    let high = 4_000;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (!cutNote.test(renderActionCheck(failedAction(mid), { now }).summary)) low = mid;
      else high = mid - 1;
    }
    const whole = renderActionCheck(failedAction(low), { now }).summary;
    const cut = renderActionCheck(failedAction(low + 1), { now }).summary;
    expect(whole.length).toBeLessThanOrEqual(checkRunSummaryMaxChars);
    // Within a line of the limit: the budget goes to the log.
    expect(whole.length).toBeGreaterThan(checkRunSummaryMaxChars - colouredLine(low).length - 100);
    expect(whole).toContain("test 0 —");
    expect(cut.length).toBeLessThanOrEqual(checkRunSummaryMaxChars);
    expect(cut).toMatch(cutNote);
    expect(cut).not.toContain("test 0 —");
    expect(cut).toContain(`test ${low} —`);
  });

  it("far above the limit: the newest lines, whole, and no broken characters", () => {
    const summary = renderActionCheck(failedAction(20_000), { now }).summary;
    expect(summary.length).toBeLessThanOrEqual(checkRunSummaryMaxChars);
    expect(summary).toMatch(cutNote);
    expect(summary).not.toContain("\u001b");
    expect(summary.trimEnd().split("\n").at(-2)).toBe("✔ test 19999 — ünïcødé 日本語 🚀 failed in /srv/app/test-19999.ts");
    expect(summary).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
  });
});
