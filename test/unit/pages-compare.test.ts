import { describe, expect, it } from "vitest";
import { sideBySideDiff } from "../../src/web/definition-diff.js";
import { compareRuns, type ComparedRun } from "../../src/web/compare-runs.js";
import { parseRunFilters, runFiltersQuery } from "../../src/web/run-filters.js";
import { cookieSealer } from "../../src/web/sealed-cookie.js";

describe("the definition diff side by side", () => {
  it("pairs an edited line with its old version and numbers both sides", () => {
    const rows = sideBySideDiff("a\nb\nc\n", "a\nB\nc\nd\n");
    expect(rows).toEqual([
      { kind: "same", left: { number: 1, text: "a" }, right: { number: 1, text: "a" } },
      { kind: "changed", left: { number: 2, text: "b" }, right: { number: 2, text: "B" } },
      { kind: "same", left: { number: 3, text: "c" }, right: { number: 3, text: "c" } },
      { kind: "added", left: null, right: { number: 4, text: "d" } },
    ]);
  });

  it("shows removed lines with nothing beside them", () => {
    expect(sideBySideDiff("a\nb\nc\n", "a\nc\n").map((r) => r.kind)).toEqual(["same", "removed", "same"]);
  });

  it("marks every line the same when nothing changed", () => {
    expect(sideBySideDiff("x\ny\n", "x\ny\n").every((r) => r.kind === "same")).toBe(true);
  });
});

describe("comparing two runs", () => {
  const run = (overrides: Partial<ComparedRun>): ComparedRun => ({
    definitionSha: "sha1",
    definitionSource: "steps: []",
    trigger: { kind: "comment", commentId: 1, issueNumber: 1, isPullRequest: true, sender: "octocat" },
    secretFingerprints: { A: "1", B: "2" },
    actions: [],
    ...overrides,
  });

  it("says which secrets changed value, appeared or went away, never showing a value", () => {
    const result = compareRuns(run({ secretFingerprints: { A: "1", B: "2", C: "3" } }), run({ secretFingerprints: { A: "1", B: "9", D: "4" } }));
    expect(result.secrets).toEqual([
      { name: "A", change: "same" },
      { name: "B", change: "changed" },
      { name: "C", change: "removed" },
      { name: "D", change: "added" },
    ]);
  });

  it("sees a definition change by its blob SHA", () => {
    expect(compareRuns(run({}), run({ definitionSha: "sha2" })).definitionChanged).toBe(true);
    expect(compareRuns(run({}), run({})).definitionChanged).toBe(false);
  });

  it("counts another kind of trigger or another person as a trigger change, another comment by the same person not", () => {
    const again = run({ trigger: { kind: "comment", commentId: 2, issueNumber: 7, isPullRequest: false, sender: "octocat" } });
    expect(compareRuns(run({}), again).triggerChanged).toBe(false);
    expect(compareRuns(run({}), run({ trigger: { kind: "page", sender: "octocat" } })).triggerChanged).toBe(true);
    expect(compareRuns(run({}), run({ trigger: { kind: "comment", commentId: 1, issueNumber: 1, isPullRequest: true, sender: "hubot" } })).triggerChanged).toBe(true);
  });

  it("lines up targets across runs, with what changed for each", () => {
    const before = run({
      actions: [
        { target: "acme/api", status: "done", durationMs: 1000, pullRequestUrl: "https://github.com/acme/api/pull/1" },
        { target: "acme/web", status: "done", durationMs: 2000, pullRequestUrl: null },
      ],
    });
    const after = run({
      actions: [
        { target: "acme/web", status: "failed", durationMs: 3000, pullRequestUrl: null },
        { target: "acme/api", status: "done", durationMs: 1100, pullRequestUrl: "https://github.com/acme/api/pull/1" },
        { target: "acme/new", status: "done", durationMs: 500, pullRequestUrl: "https://github.com/acme/new/pull/3" },
      ],
    });
    const targets = compareRuns(before, after).targets;
    expect(targets.map((t) => [t.target, t.before?.status ?? null, t.after?.status ?? null, t.statusChanged, t.pullRequestChanged])).toEqual([
      ["acme/api", "done", "done", false, false],
      ["acme/new", null, "done", true, true],
      ["acme/web", "done", "failed", true, false],
    ]);
  });
});

describe("the Runs page's filters", () => {
  it("reads known values and ignores unknown ones", () => {
    expect(parseRunFilters({ automation: " upgrade-node ", repository: "acme/api", status: "failed", trigger: "page", page: "3" })).toEqual({
      automation: "upgrade-node",
      repository: "acme/api",
      status: "failed",
      trigger: "page",
      page: 3,
    });
    expect(parseRunFilters({ status: "exploded", trigger: "telepathy", page: "-2", automation: "" })).toEqual({
      automation: undefined,
      repository: undefined,
      status: undefined,
      trigger: undefined,
      page: 1,
    });
  });

  it("keeps the filters when moving to another page", () => {
    const filters = parseRunFilters({ automation: "a b", status: "done" });
    expect(runFiltersQuery(filters, 2)).toBe("?automation=a+b&status=done&page=2");
    expect(runFiltersQuery(filters, 1)).toBe("?automation=a+b&status=done");
    expect(runFiltersQuery(parseRunFilters({}))).toBe("");
  });
});

describe("the sealed session cookie", () => {
  const sealer = cookieSealer("secret", "session");

  it("opens what it sealed until it expires", () => {
    const sealed = sealer.seal({ login: "octocat" }, 1000, 0);
    expect(sealer.open(sealed, 999)).toEqual({ login: "octocat" });
    expect(sealer.open(sealed, 1000)).toBeNull();
  });

  it("does not show the value in the cookie", () => {
    expect(sealer.seal({ token: "gho_secret_token" }, 1000)).not.toContain("gho_secret");
    expect(Buffer.from(sealer.seal({ token: "gho_secret_token" }, 1000).split(".")[2]!, "base64url").toString()).not.toContain("gho_secret");
  });

  it("rejects a changed, forged or foreign value", () => {
    const sealed = sealer.seal({ login: "octocat" }, 60_000);
    const [iv, tag, body] = sealed.split(".");
    const flipped = Buffer.from(body!, "base64url");
    flipped[0] = flipped[0]! ^ 1;
    expect(sealer.open(`${iv}.${tag}.${flipped.toString("base64url")}`)).toBeNull();
    expect(sealer.open("not.a.cookie")).toBeNull();
    expect(sealer.open(Buffer.from(JSON.stringify({ login: "admin" })).toString("base64url"))).toBeNull();
    expect(cookieSealer("other secret", "session").open(sealed)).toBeNull();
    expect(cookieSealer("secret", "oauth-state").open(sealed)).toBeNull();
  });
});
