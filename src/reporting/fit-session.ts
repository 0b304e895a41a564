import { renderSession } from "./render-session.js";
import { checkRunTextMaxChars } from "./github-limits.js";
import { fitHead } from "./fit-text.js";

// The agent session for a check's `output.text`: rendered line by line, so that when it is too
// long whole entries are dropped from the start (the newest are kept, as for the log) and no
// code block is cut in two.

export function fitSession(jsonLines: string, maxChars = checkRunTextMaxChars): string {
  const whole = renderSession(jsonLines);
  if (whole.length <= maxChars) return whole;
  const entries = jsonLines
    .split(/\r?\n/)
    .filter((line) => line.trim() !== "")
    .map((line) => renderSession(line).trimEnd());
  const note = (n: number) => `_The first ${n.toLocaleString("en-US")} ${n === 1 ? "entry" : "entries"} of the session are not shown._\n\n`;
  // Room for the longest note the cut could need.
  let budget = maxChars - note(entries.length).length - 1;
  let first = entries.length;
  while (first > 0 && entries[first - 1]!.length + 2 <= budget) {
    first -= 1;
    budget -= entries[first]!.length + 2;
  }
  const kept = entries.slice(first);
  // A single entry larger than the whole budget: its start, marked.
  if (kept.length === 0) {
    const last = entries.at(-1) ?? "";
    return `${note(entries.length - 1)}${fitHead(last, budget - 1)}\n`;
  }
  return `${note(first)}${kept.join("\n\n")}\n`;
}
