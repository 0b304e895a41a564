import { describe, expect, it } from "vitest";
import { fitSession } from "../../src/reporting/fit-session.js";
import { renderSession } from "../../src/reporting/render-session.js";

const message = (i: number, text = `Step ${i} done ✅`) => JSON.stringify({ type: "message", role: "assistant", content: text });

describe("fitSession", () => {
  it("shows a session that fits as it is rendered", () => {
    const session = [message(1), message(2)].join("\n");
    expect(fitSession(session, 10_000)).toBe(renderSession(session));
  });

  it("drops whole entries from the start of a long session, keeps the newest, and says how many", () => {
    const session = Array.from({ length: 200 }, (_, i) => message(i, `entry ${i}: ${"x".repeat(80)}`)).join("\n");
    const text = fitSession(session, 5_000);
    expect(text.length).toBeLessThanOrEqual(5_000);
    expect(text).toMatch(/^_The first \d+ entries of the session are not shown\._/);
    expect(text).toContain("entry 199:");
    // Every code block that opens also closes.
    expect((text.match(/^```/gm) ?? []).length % 2).toBe(0);
  });
});
