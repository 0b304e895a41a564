import { describe, expect, it } from "vitest";
import { decideSend, type WaitingChanges } from "../../src/reporting/coalescing.js";

const t0 = new Date("2026-03-01T10:00:00Z");
const at = (ms: number) => new Date(t0.getTime() + ms);

function changes(overrides: Partial<WaitingChanges>): WaitingChanges {
  return { phases: ["in_progress"], checkExists: true, lastSent: { phase: "in_progress", at: t0 }, now: at(1_000), intervalMs: 3_000, ...overrides };
}

describe("decideSend", () => {
  it("holds progress back until the interval since the last update has passed", () => {
    expect(decideSend(changes({}))).toEqual({ send: false, until: at(3_000) });
    expect(decideSend(changes({ now: at(3_000) }))).toEqual({ send: true });
  });

  it("sends at once when the check does not exist yet", () => {
    expect(decideSend(changes({ checkExists: false }))).toEqual({ send: true });
    expect(decideSend(changes({ lastSent: null }))).toEqual({ send: true });
  });

  it("sends at once when the phase changes: started, completed, or queued again", () => {
    expect(decideSend(changes({ lastSent: { phase: "queued", at: t0 } }))).toEqual({ send: true });
    expect(decideSend(changes({ phases: ["in_progress", "completed"] }))).toEqual({ send: true });
    expect(decideSend(changes({ phases: ["queued"] }))).toEqual({ send: true });
  });
});
