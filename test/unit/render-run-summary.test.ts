import { describe, expect, it } from "vitest";
import { renderRunSummary, type RunSummaryAction, type RunSummaryInput } from "../../src/reporting/render-run-summary.js";
import { checkRunSummaryMaxChars } from "../../src/reporting/github-limits.js";

const t0 = new Date("2026-03-01T10:00:00.000Z");
const at = (ms: number) => new Date(t0.getTime() + ms);
const now = at(600_000);

let ids = 0;
function action(target: string, overrides: Partial<RunSummaryAction> = {}): RunSummaryAction {
  ids += 1;
  return {
    id: `00000000-0000-4000-8000-${String(ids).padStart(12, "0")}`,
    target,
    status: "done",
    timedOut: false,
    startedAt: at(1_000),
    finishedAt: at(62_000),
    pullRequestUrl: null,
    pullRequestNumber: null,
    failedStep: null,
    reason: null,
    errorLine: null,
    ...overrides,
  };
}

const testFailure = (errorLine: string): Partial<RunSummaryAction> => ({
  status: "failed",
  failedStep: { index: 1, name: "Test", exitCode: 1, reason: null },
  errorLine,
});

function run(overrides: Partial<RunSummaryInput> = {}): RunSummaryInput {
  return { automation: "upgrade-node", status: "failed", createdAt: t0, finishedAt: at(245_000), actions: [], skippedTargets: [], ...overrides };
}

/** A finished run: two done (one with a PR), three failing the same way, one other failure, one cancelled, one skipped. */
const finishedWithFailures = run({
  actions: [
    action("acme/api", { pullRequestUrl: "https://github.com/acme/api/pull/12", pullRequestNumber: 12 }),
    action("acme/web/services/billing", testFailure("\u001b[31m✖ Error: Cannot find module '/workspace/services/billing/node_modules/ünïcødé-lib'\u001b[0m")),
    action("acme/web/services/auth", testFailure("\u001b[31m✖ Error: Cannot find module '/workspace/services/auth/node_modules/ünïcødé-lib'\u001b[0m")),
    action("acme/cli", testFailure("✖ Error: Cannot find module '/workspace/node_modules/ünïcødé-lib'")),
    action("acme/docs", { status: "failed", failedStep: { index: 0, name: "Install", exitCode: 127, reason: null }, errorLine: "sh: npm: not found 🙈" }),
    action("acme/legacy", { status: "stopped", reason: "cancelled by @octocat", finishedAt: at(30_000) }),
    action("acme/queue", { status: "stopped", startedAt: null, finishedAt: at(30_000), reason: "cancelled by @octocat before it started" }),
    action("acme/site|pipes", {}),
  ],
  skippedTargets: [
    { target: "acme/private", reason: "@octocat cannot write to acme/private" },
    { target: "acme/archived", reason: "archived" },
  ],
});

describe("renderRunSummary", () => {
  it("shows counts, grouped failures, every action and the skipped targets of a finished run (golden)", async () => {
    const check = renderRunSummary(finishedWithFailures, { now });
    expect(check.name).toBe("automation: upgrade-node");
    expect(check.title).toBe("4 of 8 actions failed");
    expect(check.check).toEqual({ status: "completed", conclusion: "failure" });
    expect(check.actions).toEqual([{ label: "Retry failed", identifier: "retry-failed", description: "Run the 4 failed targets again" }]);
    // Colour codes never reach GitHub; unicode does, intact.
    expect(check.summary).not.toContain("\u001b");
    expect(check.summary).toContain("ünïcødé-lib");
    await expect(check.summary).toMatchFileSnapshot("./golden/run-summary-failed.md");
  });

  it("shows a running run in progress, with what is still going on, and no retry button yet", async () => {
    const check = renderRunSummary(
      run({
        status: "running",
        finishedAt: null,
        actions: [
          action("acme/api", testFailure("boom")),
          action("acme/web", { status: "running", finishedAt: null }),
          action("acme/cli", { status: "pending", startedAt: null, finishedAt: null }),
        ],
      }),
      { now },
    );
    expect(check.title).toBe("1 of 3 actions finished, 1 failed");
    expect(check.check).toEqual({ status: "in_progress" });
    expect(check.actions).toEqual([]);
    await expect(check.summary).toMatchFileSnapshot("./golden/run-summary-running.md");
  });

  it.each([
    ["done", { status: "completed", conclusion: "success" }],
    ["failed", { status: "completed", conclusion: "failure" }],
    ["stopped", { status: "completed", conclusion: "cancelled" }],
    ["pending", { status: "queued" }],
  ] as const)("maps a %s run to the summary check's status", (status, expected) => {
    expect(renderRunSummary(run({ status, actions: [action("acme/api")] }), { now }).check).toEqual(expected);
  });

  it("offers no retry button on a finished run without failures", () => {
    const check = renderRunSummary(run({ status: "stopped", actions: [action("acme/api", { status: "stopped" })] }), { now });
    expect(check.actions).toEqual([]);
  });

  it("links each target to the app's page for its action when a public URL is configured", () => {
    const only = action("acme/api");
    const check = renderRunSummary(run({ status: "done", actions: [only], actionUrl: (id) => `https://automations.example/automations/actions/${id}` }), { now });
    expect(check.summary).toContain(`| [acme/api](https://automations.example/automations/actions/${only.id}) | ✅ success |`);
  });
});

describe("renderRunSummary within GitHub's size limit", () => {
  const longTarget = (i: number) => `acme/${"repository-with-a-rather-long-name-".repeat(2)}${String(i).padStart(4, "0")}`;
  const bigRun = (count: number, options: { skipped?: boolean } = {}) =>
    run({
      status: "failed",
      actions: Array.from({ length: count }, (_, i) =>
        i % 10 === 0
          ? action(longTarget(i), testFailure(`\u001b[1;31mError ${i}: 💥 budget exceeded in /srv/${i}/main.ts\u001b[0m`))
          : action(longTarget(i), { pullRequestUrl: `https://github.com/acme/r${i}/pull/${i}`, pullRequestNumber: i }),
      ),
      skippedTargets:
        options.skipped === false
          ? []
          : Array.from({ length: count }, (_, i) => ({ target: `acme/skipped-${i}`, reason: "not writable by the commenter" })),
    });

  const shownAll = (summary: string) => !summary.includes("not shown");

  it("shows everything when it fits, and cuts the actions table with a count of what is left out just past the limit", () => {
    // The largest run whose summary is shown whole, found by bisection: at the limit.
    let low = 1;
    let high = 2_000;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (shownAll(renderRunSummary(bigRun(mid, { skipped: false }), { now }).summary)) low = mid;
      else high = mid - 1;
    }
    const atLimit = renderRunSummary(bigRun(low, { skipped: false }), { now }).summary;
    const pastLimit = renderRunSummary(bigRun(low + 1, { skipped: false }), { now }).summary;
    expect(atLimit.length).toBeLessThanOrEqual(checkRunSummaryMaxChars);
    // Within one table row of the limit: the budget is used, not wasted.
    expect(atLimit.length).toBeGreaterThan(checkRunSummaryMaxChars - 400);
    expect(atLimit.split("\n").filter((line) => line.startsWith("| [") || line.startsWith("| acme/")).length).toBe(low);
    expect(pastLimit.length).toBeLessThanOrEqual(checkRunSummaryMaxChars);
    expect(pastLimit).toMatch(/_\d+ more actions? not shown; each has its own check run\._$/);
  });

  it("keeps far larger runs within the limit, failures first, and says how much is not shown", () => {
    const summary = renderRunSummary(bigRun(5_000), { now }).summary;
    expect(summary.length).toBeLessThanOrEqual(checkRunSummaryMaxChars);
    expect(summary).not.toContain("\u001b");
    // 500 failures, one error shape: one group, its targets listed up to a cap.
    expect(summary).toContain("All 500 failures share one cause");
    expect(summary).toContain("and 470 more");
    expect(summary).toMatch(/_\d[\d,]* more actions not shown; each has its own check run\._/);
    expect(summary).toMatch(/_\d[\d,]* more skipped targets not shown\._/);
    // The failed actions are the first rows of the table.
    const firstRow = summary.split("### Actions")[1]!.split("\n").find((line) => line.startsWith("| acme/"));
    expect(firstRow).toContain("❌ failure");
  });

  it("never cuts a surrogate pair when a long unicode error line is shortened", () => {
    const emojiLine = "💥".repeat(2_000);
    const summary = renderRunSummary(run({ actions: [action("acme/api", testFailure(emojiLine))] }), { now }).summary;
    expect(summary).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
    expect(summary).toContain("💥…");
  });
});
