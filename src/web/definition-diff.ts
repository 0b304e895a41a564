import { diffLines } from "diff";

/** One row of a side-by-side diff: a line on the left, the right, or both. */
export interface DiffRow {
  kind: "same" | "removed" | "added" | "changed";
  left: { number: number; text: string } | null;
  right: { number: number; text: string } | null;
}

/**
 * Lines of two definitions side by side: unchanged lines on both sides, a removed run of lines
 * paired with the added run that replaced it, so an edited line sits beside its old version.
 */
export function sideBySideDiff(before: string, after: string): DiffRow[] {
  const rows: DiffRow[] = [];
  let left = 1;
  let right = 1;
  const changes = diffLines(before, after);
  for (let i = 0; i < changes.length; i++) {
    const change = changes[i]!;
    const lines = splitLines(change.value);
    if (!change.added && !change.removed) {
      for (const text of lines) rows.push({ kind: "same", left: { number: left++, text }, right: { number: right++, text } });
      continue;
    }
    if (change.removed) {
      const next = changes[i + 1];
      const added = next?.added ? splitLines(next.value) : [];
      if (next?.added) i++;
      const n = Math.max(lines.length, added.length);
      for (let k = 0; k < n; k++) {
        const l = lines[k];
        const r = added[k];
        rows.push({
          kind: l !== undefined && r !== undefined ? "changed" : l !== undefined ? "removed" : "added",
          left: l !== undefined ? { number: left++, text: l } : null,
          right: r !== undefined ? { number: right++, text: r } : null,
        });
      }
      continue;
    }
    for (const text of lines) rows.push({ kind: "added", left: null, right: { number: right++, text } });
  }
  return rows;
}

function splitLines(value: string): string[] {
  const lines = value.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}
