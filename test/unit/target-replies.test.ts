import { describe, expect, it } from "vitest";
import { fitLines, shareBudget } from "../../src/commands/fit-lines.js";
import { listReply, planReply, runNotice } from "../../src/commands/target-replies.js";
import { commentBodyMaxChars } from "../../src/reporting/github-limits.js";
import type { Skip, Target } from "../../src/targets/target.js";

const more = (n: number) => `- … and ${n} more`;

describe("fitLines", () => {
  it.each<[string, string[], number, string[]]>([
    ["everything when it fits", ["a", "b", "c"], 5, ["a", "b", "c"]],
    ["an empty list", [], 0, []],
    ["the first lines and a count of the rest", ["aaaa", "bbbb", "cccc", "dddd", "eeee", "ffff"], 24, ["aaaa", "bbbb", "- … and 4 more"]],
    ["only the count when not even one line fits", ["aaaaaaaaaaaaaaaaaaaa"], 16, ["- … and 1 more"]],
  ])("keeps %s", (_what, lines, max, expected) => {
    const fitted = fitLines(lines, max, more);
    expect(fitted).toEqual(expected);
  });

  it("never exceeds the budget once something is cut", () => {
    const lines = Array.from({ length: 500 }, (_, i) => `- \`acme/repository-${i}\``);
    for (const max of [50, 333, 1000, 4096]) {
      expect(fitLines(lines, max, more).join("\n").length).toBeLessThanOrEqual(max);
    }
  });
});

describe("shareBudget", () => {
  it.each<[number[], number, number[]]>([
    [[10, 20], 100, [10, 20]],
    [[10, 500], 100, [10, 90]],
    [[500, 500], 100, [50, 50]],
    [[5, 500, 500], 105, [5, 50, 50]],
  ])("needs %j within %d get %j", (needs, max, shares) => {
    expect(shareBudget(needs, max)).toEqual(shares);
  });
});

const target = (i: number): Target => ({ repository: `acme/service-${String(i).padStart(5, "0")}`, repositoryId: i, cloneUrl: "", ref: "abc", project: null });
const noAccess = (i: number): Skip => ({ kind: "no-write-access", repository: `acme/private-${i}`, user: "octocat", permission: "read" });

describe("planReply", () => {
  it("fits thousands of targets and skips in one comment, saying how many more there are", () => {
    const reply = planReply({
      automation: "upgrade-node",
      definedIn: "acme/.github:.github/automations/upgrade-node.yml",
      requested: [],
      targets: Array.from({ length: 5000 }, (_, i) => target(i)),
      skipped: Array.from({ length: 3000 }, (_, i) => noAccess(i)),
      notTargets: [],
      refusal: null,
    });
    expect(reply.length).toBeLessThanOrEqual(commentBodyMaxChars);
    expect(reply).toContain("**Plan for `upgrade-node`**: 5000 targets in 5000 repositories.");
    expect(reply).toMatch(/- … and \d+ more targets\n/);
    expect(reply).toMatch(/- … and \d+ more repositories$/);
    expect(reply).toContain("`/automation run upgrade-node` starts it");
  });

  it("names project targets as their checks are named, and repeats the restriction in the run line", () => {
    const reply = planReply({
      automation: "lint",
      definedIn: "acme/api:.github/automations/lint.yml",
      requested: ["acme/api"],
      targets: [{ ...target(1), repository: "acme/api", project: "services/web" }],
      skipped: [],
      notTargets: [],
      refusal: null,
    });
    expect(reply).toContain("- `acme/api/services/web`");
    expect(reply).toContain("`/automation run lint acme/api` starts it");
    expect(reply).not.toContain("Skipped");
  });
});

describe("runNotice", () => {
  it("is null when the run left out nothing worth saying", () => {
    expect(runNotice("lint", 3, [], [])).toBeNull();
  });
});

describe("listReply", () => {
  it("says where it looked when there are no automations", () => {
    expect(listReply("acme/api", [], "acme/.github")).toBe(
      "There are no automations here: no `.yml` file in `acme/api:.github/automations/` or `acme/.github:.github/automations/` on the default branch.",
    );
  });
});
