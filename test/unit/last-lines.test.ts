import { describe, expect, it } from "vitest";
import { createLastLines, LAST_LINE_MAX_CHARS } from "../../src/execution/last-lines.js";

describe("createLastLines", () => {
  const lastOf = (chunks: Array<[stream: "stdout" | "stderr", text: string]>) => {
    const lines = createLastLines();
    for (const [stream, text] of chunks) lines.track(0, stream, text);
    return lines.last(0);
  };

  it.each([
    { behaviour: "the last non-empty line", chunks: [["stdout", "one\ntwo\n\n  \n"]], expected: "two" },
    { behaviour: "a line split across chunks", chunks: [["stdout", "compil"], ["stdout", "ing failed\n"]], expected: "compiling failed" },
    { behaviour: "an unfinished last line (a step killed mid-line)", chunks: [["stdout", "done\nallocat"], ["stdout", "ing"]], expected: "allocating" },
    { behaviour: "CRLF and lone CR line ends", chunks: [["stdout", "progress 10%\rprogress 90%\r\nerror: disk full\r\n"]], expected: "error: disk full" },
    { behaviour: "stderr's line when stderr printed last", chunks: [["stdout", "building\n"], ["stderr", "Error: boom\n"]], expected: "Error: boom" },
    { behaviour: "a blank chunk leaves the line before it", chunks: [["stdout", "Error: x\n"], ["stdout", "\n\n   \n"]], expected: "Error: x" },
    { behaviour: "a line ended in the chunk after its start", chunks: [["stdout", "Error: in "], ["stdout", "two parts\n\n"]], expected: "Error: in two parts" },
  ] as const)("remembers $behaviour", ({ chunks, expected }) => {
    expect(lastOf(chunks as unknown as Array<["stdout" | "stderr", string]>)).toBe(expected);
  });

  it("says null for a step that printed nothing but blank lines", () => {
    expect(lastOf([["stdout", "\n \n"]])).toBeNull();
    expect(createLastLines().last(3)).toBeNull();
  });

  it("keeps only the start of an endless line, however much of it arrives", () => {
    const lines = createLastLines();
    for (let i = 0; i < 100; i++) lines.track(0, "stdout", "y".repeat(1_000));
    expect(lines.last(0)).toBe("y".repeat(LAST_LINE_MAX_CHARS));
    lines.track(0, "stdout", `${"z".repeat(5_000)}\n`);
    expect(lines.last(0)).toBe("y".repeat(LAST_LINE_MAX_CHARS));
  });

  it("keeps each step apart", () => {
    const lines = createLastLines();
    lines.track(0, "stdout", "first step\n");
    lines.track(1, "stdout", "second step\n");
    expect([lines.last(0), lines.last(1)]).toEqual(["first step", "second step"]);
  });
});
