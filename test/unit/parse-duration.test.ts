import { describe, expect, it } from "vitest";
import { parseDuration } from "../../src/automations/parse-duration.js";

describe("parseDuration", () => {
  it.each<[string | number, number]>([
    ["30s", 30_000],
    ["30m", 1_800_000],
    ["2h", 7_200_000],
    ["1h30m", 5_400_000],
    ["1h 30m", 5_400_000],
    ["1h30m15s", 5_415_000],
    ["1.5h", 5_400_000],
    ["500ms", 500],
    ["1d", 86_400_000],
    ["90", 90_000],
    ["2.5", 2_500],
    [" 45s ", 45_000],
    [90, 90_000],
    [0.25, 250],
    ["0s", 0],
  ])("reads %j as %d ms", (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  // Units out of order or repeated are more likely typos than intent.
  it.each<string | number>(["", "30x", "s", "-5s", "30m1h", "1h1h", "30 minutes", "1h30", "1e3", -1, Number.NaN, Infinity])(
    "rejects %j",
    (input) => {
      expect(parseDuration(input)).toBeNull();
    },
  );
});
