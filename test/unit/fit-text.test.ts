import { describe, expect, it } from "vitest";
import { fitHead, fitTail } from "../../src/reporting/fit-text.js";

const emoji = "😀"; // two UTF-16 code units

describe("fitTail", () => {
  const cases: { behaviour: string; text: string; maxChars: number; expected: string }[] = [
    { behaviour: "leaves text that fits untouched", text: "a\nb\nc\n", maxChars: 6, expected: "a\nb\nc\n" },
    { behaviour: "keeps the newest whole lines", text: "first\nsecond\nthird\n", maxChars: 10, expected: "third\n" },
    { behaviour: "keeps a line that starts exactly at the budget", text: "first\nsecond\nthird\n", maxChars: 13, expected: "second\nthird\n" },
    { behaviour: "keeps the newest lines when the log does not end in a line break", text: "one\ntwo\nthree", maxChars: 9, expected: "two\nthree" },
    { behaviour: "keeps the end of a last line longer than the budget", text: "old\nabcdefghij", maxChars: 4, expected: "ghij" },
    { behaviour: "keeps the end of a last line that ends in a line break", text: "abcdefghij\n", maxChars: 4, expected: "hij\n" },
    { behaviour: "never starts with half of a character", text: `x${emoji.repeat(5)}`, maxChars: 5, expected: emoji.repeat(2) },
    { behaviour: "keeps nothing when there is no room", text: "abc", maxChars: 0, expected: "" },
  ];

  it.each(cases)("$behaviour", ({ text, maxChars, expected }) => {
    const fitted = fitTail(text, maxChars);
    expect(fitted.text).toBe(expected);
    expect(fitted.text.length).toBeLessThanOrEqual(maxChars);
    expect(fitted.omittedChars).toBe(text.length - expected.length);
    expect(text.endsWith(fitted.text)).toBe(true);
  });

  it("keeps the newest lines of a large log and says how much was cut", () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i}`);
    const text = `${lines.join("\n")}\n`;
    const fitted = fitTail(text, 1_000);
    expect(fitted.text.length).toBeLessThanOrEqual(1_000);
    expect(fitted.text.endsWith("line 19999\n")).toBe(true);
    expect(fitted.text.startsWith("line ")).toBe(true);
    expect(fitted.omittedChars + fitted.text.length).toBe(text.length);
  });
});

describe("fitHead", () => {
  const cases: { behaviour: string; text: string; maxChars: number; expected: string }[] = [
    { behaviour: "leaves text that fits untouched", text: "Build", maxChars: 5, expected: "Build" },
    { behaviour: "ends cut text with an ellipsis", text: "Build the project", maxChars: 6, expected: "Build…" },
    { behaviour: "never ends with half of a character", text: `ab${emoji}cd`, maxChars: 4, expected: "ab…" },
    { behaviour: "keeps nothing but the marker when the budget is tiny", text: "Build", maxChars: 1, expected: "…" },
  ];

  it.each(cases)("$behaviour", ({ text, maxChars, expected }) => {
    const fitted = fitHead(text, maxChars);
    expect(fitted).toBe(expected);
    expect(fitted.length).toBeLessThanOrEqual(maxChars);
  });
});
