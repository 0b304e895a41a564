import { describe, expect, it } from "vitest";
import { groupFailures, normaliseErrorText, type FailedActionFacts } from "../../src/reporting/failure-groups.js";

const testStep = (exitCode: number | null, reason: string | null = null) => ({ index: 2, name: "Test", exitCode, reason });

function failed(target: string, overrides: Partial<FailedActionFacts> = {}): FailedActionFacts {
  return { target, step: testStep(1), reason: null, timedOut: false, errorLine: null, ...overrides };
}

describe("normaliseErrorText", () => {
  const cases: Array<[string, string, string]> = [
    ["numbers and line:column positions", "Error at line 42:7 after 3.5s", "Error at line <n>:<n> after <n>s"],
    ["absolute paths", "ENOENT: no such file '/home/runner/work/acme-a/src/index.ts'", "ENOENT: no such file '<path>'"],
    ["relative paths", "Cannot find module ./lib/util.js from src/app.ts", "Cannot find module <path> from <path>"],
    ["commit SHAs and short hex ids", "fatal: reference 9fceb02d0ae598e95dc970b74767f19372d61af8 (9fceb02) is bad", "fatal: reference <hex> (<hex>) is bad"],
    ["UUIDs", "action 0b8f7f0e-5c1b-4a8e-9d1e-1f2a3b4c5d6e lost", "action <id> lost"],
    ["timestamps", "lease expired 2026-11-28T03:04:10.123Z", "lease expired <time>"],
    ["URLs", "could not reach https://registry.npmjs.org/left-pad?x=1", "could not reach <url>"],
    ["ANSI colours and spacing", "\u001b[31mError:\u001b[0m   tests   failed", "Error: tests failed"],
  ];
  it.each(cases)("replaces %s", (_, input, expected) => {
    expect(normaliseErrorText(input)).toBe(expected);
  });

  it("keeps words that only look like hex apart from ids (no digit)", () => {
    expect(normaliseErrorText("deadbeef facade")).toBe("deadbeef facade");
  });
});

describe("groupFailures", () => {
  it("puts targets that failed at the same step with the same error, numbers and paths aside, in one group", () => {
    const groups = groupFailures([
      failed("acme/a", { errorLine: "Error: Cannot find module '/work/acme-a/node_modules/left-pad' (line 12)" }),
      failed("acme/b", { errorLine: "Error: Cannot find module '/work/acme-b/node_modules/left-pad' (line 40)" }),
      failed("acme/c", { errorLine: "\u001b[31mError: Cannot find module '/work/acme-c/node_modules/left-pad' (line 3)\u001b[0m" }),
    ]);
    expect(groups).toEqual([
      {
        step: { index: 2, name: "Test" },
        cause: "exit code 1",
        errorLine: "Error: Cannot find module '/work/acme-a/node_modules/left-pad' (line 12)",
        targets: ["acme/a", "acme/b", "acme/c"],
      },
    ]);
  });

  it("keeps different exit codes, steps and error lines apart, the largest group first", () => {
    const groups = groupFailures([
      failed("acme/a", { step: testStep(1), errorLine: "AssertionError: expected 1 to be 2" }),
      failed("acme/b", { step: testStep(137), errorLine: "AssertionError: expected 1 to be 2" }),
      failed("acme/c", { step: { index: 0, name: "Install", exitCode: 1, reason: null }, errorLine: "npm ERR! code E404" }),
      failed("acme/d", { step: testStep(1), errorLine: "TypeError: x is not a function" }),
      failed("acme/e", { step: testStep(1), errorLine: "AssertionError: expected 3 to be 4" }),
    ]);
    expect(groups.map((g) => [g.step?.name, g.cause, g.targets])).toEqual([
      ["Test", "exit code 1", ["acme/a", "acme/e"]],
      ["Install", "exit code 1", ["acme/c"]],
      ["Test", "exit code 137", ["acme/b"]],
      ["Test", "exit code 1", ["acme/d"]],
    ]);
  });

  it("groups failures outside the steps by their reason, and time-outs apart from other failures", () => {
    const groups = groupFailures([
      failed("acme/a", { step: null, reason: "git clone failed: repository https://github.com/acme/a.git not found" }),
      failed("acme/b", { step: null, reason: "git clone failed: repository https://github.com/acme/b.git not found" }),
      failed("acme/c", { step: testStep(null, "timed out after 30m"), timedOut: true }),
    ]);
    expect(groups.map((g) => [g.step, g.cause, g.targets])).toEqual([
      [null, "git clone failed: repository https://github.com/acme/a.git not found", ["acme/a", "acme/b"]],
      [{ index: 2, name: "Test" }, "timed out after 30m", ["acme/c"]],
    ]);
  });
});
