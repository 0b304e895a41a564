import type { LogStream } from "./log-writer.js";

// The last non-empty line of each step's output, for the error line of a failed action. Only the
// end of each chunk is looked at, and a line is kept up to a bound, so a step printing hundreds
// of megabytes (or one endless line) costs no more than a few lines' worth of memory.

/** The start of a line is kept: a line longer than this is cut when it is remembered. */
export const LAST_LINE_MAX_CHARS = 2_000;

export interface LastLines {
  track(stepIndex: number, stream: LogStream, text: string): void;
  /** The step's last non-empty line; an unfinished one counts too, as a step often dies mid-line. */
  last(stepIndex: number): string | null;
}

interface StepLines {
  last: string | null;
  /** Per stream, the line not yet ended by a line break (its start, up to the bound). */
  unfinished: Map<LogStream, string>;
}

const isBlank = (line: string) => line.trim() === "";

export function createLastLines(): LastLines {
  const steps = new Map<number, StepLines>();
  return {
    track(stepIndex, stream, text) {
      let step = steps.get(stepIndex);
      if (!step) {
        step = { last: null, unfinished: new Map() };
        steps.set(stepIndex, step);
      }
      const before = step.unfinished.get(stream) ?? "";
      const end = lastBreak(text, text.length);
      if (end === -1) {
        if (before.length < LAST_LINE_MAX_CHARS) step.unfinished.set(stream, (before + text).slice(0, LAST_LINE_MAX_CHARS));
        return;
      }
      step.unfinished.set(stream, text.slice(end + 1, end + 1 + LAST_LINE_MAX_CHARS));
      // The lines this chunk ends, newest first, until one is not blank; the oldest continues `before`.
      let lineEnd = end;
      while (lineEnd >= 0) {
        const start = lastBreak(text, lineEnd) + 1;
        const line = start === 0 ? before + text.slice(0, Math.min(lineEnd, LAST_LINE_MAX_CHARS)) : text.slice(start, Math.min(lineEnd, start + LAST_LINE_MAX_CHARS));
        if (!isBlank(line)) {
          step.last = line.slice(0, LAST_LINE_MAX_CHARS);
          return;
        }
        lineEnd = start - 1;
      }
    },
    last(stepIndex) {
      const step = steps.get(stepIndex);
      if (!step) return null;
      const unfinished = [...step.unfinished.values()].filter((line) => !isBlank(line));
      return unfinished.at(-1) ?? step.last;
    },
  };
}

/** The index of the last line break (\n or \r) before `end`; -1 when there is none. */
function lastBreak(text: string, end: number): number {
  for (let i = end - 1; i >= 0; i--) {
    const code = text.charCodeAt(i);
    if (code === 10 || code === 13) return i;
  }
  return -1;
}
