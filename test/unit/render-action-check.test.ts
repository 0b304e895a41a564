import { describe, expect, it } from "vitest";
import { renderActionCheck } from "../../src/reporting/render-action-check.js";
import { fencedCodeBlock } from "../../src/reporting/markdown.js";
import { checkRunSummaryMaxChars, checkRunTitleMaxChars } from "../../src/reporting/github-limits.js";
import type { ActionView, StepView } from "../../src/runs/action-view.js";

const t0 = new Date("2025-01-01T10:00:00.000Z");
const at = (ms: number) => new Date(t0.getTime() + ms);

function step(index: number, name: string, overrides: Partial<StepView> = {}): StepView {
  return { index, name, status: "pending", exitCode: null, reason: null, startedAt: null, finishedAt: null, continueOnError: false, ...overrides };
}

function actionView(overrides: Partial<ActionView> = {}): ActionView {
  return {
    id: "act_1",
    automation: "bump-deps",
    repository: "acme/web",
    project: null,
    status: "pending",
    reason: null,
    timedOut: false,
    startedAt: null,
    finishedAt: null,
    steps: [],
    logTail: "",
    logOmittedChars: 0,
    pullRequestUrl: null,
    ...overrides,
  };
}

const passed = (index: number, name: string, start: number, end: number) =>
  step(index, name, { status: "done", exitCode: 0, startedAt: at(start), finishedAt: at(end) });

/** Install passed in 1.2s, Test failed with exit code 1 after 3m 04s, Deploy never ran. */
const failedAtTest = actionView({
  status: "failed",
  startedAt: at(0),
  finishedAt: at(185_200),
  steps: [
    passed(0, "Install", 0, 1_200),
    step(1, "Test", { status: "failed", exitCode: 1, startedAt: at(1_200), finishedAt: at(185_200) }),
    step(2, "Deploy", { status: "skipped" }),
  ],
  logTail: "npm test\nFAIL src/app.test.ts\n",
});

/** The Markdown table rows of a summary, without the header and delimiter rows. */
function tableRows(summary: string): string[] {
  return summary.split("\n").filter((line) => line.startsWith("| ") && !line.startsWith("| Step |") && !line.startsWith("| ---"));
}

/** The lines of the summary's closing code block, between its fences. */
function logBlock(summary: string): { fence: string; content: string } {
  const fence = /\n(`{3,})\n/.exec(summary)?.[1];
  if (!fence) throw new Error("no code block in summary");
  const start = summary.indexOf(`\n${fence}\n`) + fence.length + 2;
  expect(summary.endsWith(`\n${fence}`)).toBe(true);
  return { fence, content: summary.slice(start, summary.length - fence.length) };
}

describe("renderActionCheck name", () => {
  const cases = [
    { behaviour: "names the automation and repository", project: null, expected: "automation: bump-deps — acme/web" },
    { behaviour: "names the project inside a repository", project: "packages/api", expected: "automation: bump-deps — acme/web/packages/api" },
  ];

  it.each(cases)("$behaviour", ({ project, expected }) => {
    expect(renderActionCheck(actionView({ project })).name).toBe(expected);
  });
});

describe("renderActionCheck title", () => {
  const cases: { behaviour: string; view: ActionView; expected: string }[] = [
    { behaviour: "a waiting action reads as queued", view: actionView(), expected: "Queued" },
    {
      behaviour: "a running action names the step it is on",
      view: actionView({
        status: "running",
        startedAt: at(0),
        steps: [passed(0, "Install", 0, 1_000), step(1, "Build", { status: "running", startedAt: at(1_000) }), step(2, "Test")],
      }),
      expected: "Running step 2 of 3: Build",
    },
    {
      behaviour: "a running action between steps reads as running",
      view: actionView({ status: "running", startedAt: at(0), steps: [passed(0, "Install", 0, 1_000), step(1, "Build")] }),
      expected: "Running",
    },
    {
      behaviour: "a successful action counts its passed steps",
      view: actionView({ status: "done", startedAt: at(0), finishedAt: at(2_000), steps: [passed(0, "Install", 0, 1_000), passed(1, "Test", 1_000, 2_000)] }),
      expected: "2 steps passed",
    },
    {
      behaviour: "a single passed step reads in the singular",
      view: actionView({ status: "done", startedAt: at(0), finishedAt: at(1_000), steps: [passed(0, "Install", 0, 1_000)] }),
      expected: "1 step passed",
    },
    { behaviour: "a failed action names the failing step and its exit code", view: failedAtTest, expected: 'Step "Test" failed with exit code 1' },
    {
      behaviour: "a step that failed without an exit code gives its reason",
      view: actionView({ status: "failed", startedAt: at(0), steps: [step(0, "Build", { status: "failed", reason: "container was killed: out of memory" })] }),
      expected: 'Step "Build" failed: container was killed: out of memory',
    },
    {
      behaviour: "a failure outside the steps gives the action's reason",
      view: actionView({ status: "failed", startedAt: at(0), reason: "Could not clone acme/web" }),
      expected: "Failed: Could not clone acme/web",
    },
    {
      behaviour: "an action ended by its time limit reads as timed out in its step",
      view: actionView({ status: "failed", timedOut: true, startedAt: at(0), steps: [step(0, "Test", { status: "failed", reason: "timed out after 30m" })] }),
      expected: 'Timed out in step "Test"',
    },
    {
      behaviour: "an action ended by its time limit outside a step reads as timed out",
      view: actionView({ status: "failed", timedOut: true, startedAt: at(0) }),
      expected: "Timed out",
    },
    {
      behaviour: "a step allowed to fail is not the one that failed the action",
      view: actionView({
        status: "failed",
        startedAt: at(0),
        steps: [
          step(0, "Lint", { status: "failed", exitCode: 1, startedAt: at(0), continueOnError: true }),
          step(1, "Test", { status: "failed", exitCode: 2, startedAt: at(1_000) }),
          step(2, "Deploy", { status: "skipped" }),
        ],
      }),
      expected: 'Step "Test" failed with exit code 2',
    },
    {
      behaviour: "a failure after the steps gives the action's reason, even when a step allowed to fail failed",
      view: actionView({
        status: "failed",
        startedAt: at(0),
        reason: "The push to automation/lint was refused: the app needs contents: write",
        steps: [step(0, "Lint", { status: "failed", exitCode: 1, startedAt: at(0), continueOnError: true }), passed(1, "Build", 1_000, 2_000)],
      }),
      expected: "Failed: The push to automation/lint was refused: the app needs contents: write",
    },
    {
      behaviour: "a step allowed to fail that ran out of time ended the action all the same",
      view: actionView({
        status: "failed",
        timedOut: true,
        startedAt: at(0),
        steps: [step(0, "Lint", { status: "failed", reason: "timed out after 5m", startedAt: at(0), continueOnError: true }), step(1, "Test", { status: "skipped" })],
      }),
      expected: 'Timed out in step "Lint"',
    },
    { behaviour: "an action stopped while running reads as cancelled", view: actionView({ status: "stopped", startedAt: at(0) }), expected: "Cancelled" },
    { behaviour: "an action stopped before it started reads as skipped", view: actionView({ status: "stopped" }), expected: "Skipped" },
  ];

  it.each(cases)("$behaviour", ({ view, expected }) => {
    expect(renderActionCheck(view).title).toBe(expected);
  });

  it("stays within GitHub's title limit and on one line when a reason is long", () => {
    const title = renderActionCheck(actionView({ status: "failed", startedAt: at(0), reason: `line one\n${"x".repeat(5_000)}` })).title;
    expect(title.length).toBeLessThanOrEqual(checkRunTitleMaxChars);
    expect(title).toMatch(/^Failed: line one x+…$/);
  });
});

describe("renderActionCheck summary", () => {
  it("shows each step with its status and duration, and the steps after a failure as skipped", () => {
    const { summary } = renderActionCheck(failedAtTest);
    expect(summary).toContain("| Step | Status | Duration |\n| --- | --- | --- |\n");
    expect(tableRows(summary)).toEqual([
      "| Install | ✅ Passed | 1.2s |",
      "| Test | ❌ Failed (exit code 1) | 3m 04s |",
      "| Deploy | ⏭️ Skipped | – |",
    ]);
  });

  it("opens with the outcome and how long the action took", () => {
    const { summary } = renderActionCheck(failedAtTest);
    expect(summary.split("\n")[0]).toBe('❌ **Step "Test" failed with exit code 1** in 3m 05s');
  });

  it("names the failing step with its exit code", () => {
    expect(renderActionCheck(failedAtTest).summary).toContain("**Failed step:** Test (step 2 of 3) — exit code 1");
  });

  it("gives the action's reason, not a step allowed to fail, when the action failed after its steps", () => {
    const { summary } = renderActionCheck(
      actionView({
        status: "failed",
        startedAt: at(0),
        finishedAt: at(2_000),
        reason: "The push to automation/lint was refused",
        steps: [step(0, "Lint", { status: "failed", exitCode: 1, startedAt: at(0), finishedAt: at(1_000), continueOnError: true }), passed(1, "Build", 1_000, 2_000)],
      }),
    );
    expect(summary).toContain("**Reason:** The push to automation/lint was refused");
    expect(summary).not.toContain("**Failed step:**");
    expect(tableRows(summary)[0]).toBe("| Lint | ❌ Failed (exit code 1) | 1.0s |");
  });

  it("shows steps that were still waiting when the action ended as skipped", () => {
    const view = { ...failedAtTest, steps: failedAtTest.steps.map((s) => (s.name === "Deploy" ? { ...s, status: "pending" as const } : s)) };
    expect(tableRows(renderActionCheck(view).summary)[2]).toBe("| Deploy | ⏭️ Skipped | – |");
  });

  it("shows a running step's time so far", () => {
    const view = actionView({ status: "running", startedAt: at(0), steps: [step(0, "Build", { status: "running", startedAt: at(0) }), step(1, "Test")] });
    expect(tableRows(renderActionCheck(view, { now: at(65_000) }).summary)).toEqual([
      "| Build | 🔄 Running | 1m 05s |",
      "| Test | ⏳ Pending | – |",
    ]);
  });

  const reasons: { behaviour: string; view: ActionView; expected: string }[] = [
    {
      behaviour: "gives the reason when the action failed outside its steps",
      view: actionView({ status: "failed", startedAt: at(0), finishedAt: at(1_000), reason: "Could not clone acme/web: repository not found" }),
      expected: "**Reason:** Could not clone acme/web: repository not found",
    },
    {
      behaviour: "gives the reason an action was cancelled",
      view: actionView({ status: "stopped", startedAt: at(0), finishedAt: at(1_000), reason: "Cancelled by @octocat" }),
      expected: "**Reason:** Cancelled by @octocat",
    },
  ];

  it.each(reasons)("$behaviour", ({ view, expected }) => {
    expect(renderActionCheck(view).summary).toContain(expected);
  });

  it("links the pull request the action opened", () => {
    const view = actionView({ status: "done", startedAt: at(0), finishedAt: at(1_000), pullRequestUrl: "https://github.com/acme/web/pull/42" });
    expect(renderActionCheck(view).summary).toContain("**Pull request:** https://github.com/acme/web/pull/42");
  });

  it("keeps a step name with pipes and line breaks inside its table cell", () => {
    const view = actionView({ status: "done", startedAt: at(0), finishedAt: at(1_000), steps: [passed(0, "lint | format\nand *check*", 0, 1_000)] });
    const rows = tableRows(renderActionCheck(view).summary);
    expect(rows).toEqual(["| lint \\| format and \\*check\\* | ✅ Passed | 1.0s |"]);
    // A GFM table splits cells on unescaped pipes only.
    expect(rows[0]!.match(/(?<!\\)\|/g)).toHaveLength(4);
  });

  it("ends with the log in a code block", () => {
    const { summary } = renderActionCheck(failedAtTest);
    expect(summary).toContain("#### Log");
    expect(logBlock(summary)).toEqual({ fence: "```", content: "npm test\nFAIL src/app.test.ts\n" });
  });

  it("keeps backticks in the log from closing the code block", () => {
    const logTail = "```\nnot markdown\n````\n# still log\n";
    const { summary } = renderActionCheck({ ...failedAtTest, logTail });
    const { fence, content } = logBlock(summary);
    expect(fence).toBe("`````");
    expect(content).toBe(logTail);
    expect(summary.split("\n").filter((line) => line === fence)).toHaveLength(2);
  });

  it("shows the log without terminal colour codes", () => {
    const { summary } = renderActionCheck({ ...failedAtTest, logTail: "\u001b[31mFAIL\u001b[0m src/app.test.ts\n" });
    expect(logBlock(summary).content).toBe("FAIL src/app.test.ts\n");
  });

  it("leaves out the log section while there is no log", () => {
    expect(renderActionCheck(actionView()).summary).not.toContain("#### Log");
  });

  it("says how much of the log came before the part it received", () => {
    const { summary } = renderActionCheck({ ...failedAtTest, logOmittedChars: 1_234_567 });
    expect(summary).toContain("_The first 1,234,567 characters of the log are not shown._");
  });

  it("keeps the newest log lines when the log is larger than GitHub allows", () => {
    const lines = Array.from({ length: 10_000 }, (_, i) => `log line ${String(i).padStart(5, "0")} ${"-".repeat(4)}`);
    const logTail = `${lines.join("\n")}\n`;
    expect(logTail.length).toBe(200_000);
    const { summary } = renderActionCheck({ ...failedAtTest, logTail, logOmittedChars: 5_000 });

    expect(summary.length).toBeLessThanOrEqual(checkRunSummaryMaxChars);
    // The log is cut only as far as needed, not dropped.
    expect(summary.length).toBeGreaterThan(checkRunSummaryMaxChars - 100);
    const { content } = logBlock(summary);
    expect(content.endsWith("log line 09999 ----\n")).toBe(true);
    expect(content.startsWith("log line ")).toBe(true);
    expect(summary).not.toContain("log line 00000");
    // The figure counts what was cut here and what came before the received tail.
    const shown = Number(/_The first ([\d,]+) characters/.exec(summary)?.[1]?.replace(/,/g, ""));
    expect(shown).toBe(5_000 + logTail.length - content.length);
    // The step table is still there in full.
    expect(tableRows(summary)).toHaveLength(3);
  });

  it("keeps the newest part of a single log line larger than GitHub allows", () => {
    const logTail = `${"a".repeat(100_000)}THE END`;
    const { summary } = renderActionCheck({ ...failedAtTest, logTail });
    expect(summary.length).toBeLessThanOrEqual(checkRunSummaryMaxChars);
    expect(logBlock(summary).content.endsWith("THE END\n")).toBe(true);
  });

  it("stays within GitHub's limit however many steps there are", () => {
    const steps = Array.from({ length: 2_000 }, (_, i) => passed(i, `step ${i} ${"n".repeat(500)}`, 0, 1_000));
    const { summary } = renderActionCheck(actionView({ status: "done", startedAt: at(0), finishedAt: at(1_000), steps, logTail: "ok\n" }));
    expect(summary.length).toBeLessThanOrEqual(checkRunSummaryMaxChars);
  });
});

describe("fencedCodeBlock", () => {
  const cases = [
    { behaviour: "uses a plain fence for text without backticks", text: "hello", expected: "```\nhello\n```" },
    { behaviour: "uses a fence longer than the longest backtick run", text: "a ``` b ```` c", expected: "`````\na ``` b ```` c\n`````" },
  ];

  it.each(cases)("$behaviour", ({ text, expected }) => {
    expect(fencedCodeBlock(text)).toBe(expected);
  });
});
