import { describe, expect, it } from "vitest";
import type { CheckRunFields } from "../../src/reporting/checks-api.js";
import { sentFieldsMemory } from "../../src/reporting/sent-fields.js";

const fields = (status: "in_progress" | "completed", summary: string): CheckRunFields => ({
  name: "automation: hello — acme/app",
  status,
  ...(status === "completed" ? { conclusion: "success" as const } : {}),
  output: { title: status, summary },
});

describe("what was last sent to each check run", () => {
  it("knows a send that would change nothing, and only for the check run it was sent to", () => {
    const sent = sentFieldsMemory();
    expect(sent.unchanged(1, fields("completed", "done"))).toBe(false);
    sent.remember(1, fields("completed", "done"));
    expect(sent.unchanged(1, fields("completed", "done"))).toBe(true);
    expect(sent.unchanged(1, fields("completed", "done, with more log"))).toBe(false);
    expect(sent.unchanged(2, fields("completed", "done"))).toBe(false);
  });

  it("forgets the check runs sent to longest ago, beyond its bound", () => {
    const sent = sentFieldsMemory(2);
    sent.remember(1, fields("in_progress", "a"));
    sent.remember(2, fields("in_progress", "b"));
    sent.remember(1, fields("in_progress", "a"));
    sent.remember(3, fields("in_progress", "c"));
    expect(sent.unchanged(2, fields("in_progress", "b"))).toBe(false);
    expect(sent.unchanged(1, fields("in_progress", "a"))).toBe(true);
    expect(sent.unchanged(3, fields("in_progress", "c"))).toBe(true);
  });
});
