import { describe, expect, it } from "vitest";
import { formatDuration } from "../../src/reporting/format-duration.js";

describe("formatDuration", () => {
  const cases: { behaviour: string; ms: number; expected: string }[] = [
    { behaviour: "short steps show tenths of a second", ms: 1_234, expected: "1.2s" },
    { behaviour: "an instant step shows 0.0s", ms: 0, expected: "0.0s" },
    { behaviour: "a clock slightly behind does not show a negative time", ms: -500, expected: "0.0s" },
    { behaviour: "just under ten seconds rounds to whole seconds", ms: 9_960, expected: "10s" },
    { behaviour: "tens of seconds show whole seconds", ms: 45_400, expected: "45s" },
    { behaviour: "minutes show zero-padded seconds", ms: 184_000, expected: "3m 04s" },
    { behaviour: "just under a minute rounds up to a minute", ms: 59_600, expected: "1m 00s" },
    { behaviour: "hours show zero-padded minutes", ms: 3_725_000, expected: "1h 02m" },
  ];

  it.each(cases)("$behaviour", ({ ms, expected }) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});
