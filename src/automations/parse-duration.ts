// Durations as people write them in definitions: `30s`, `30m`, `1h30m`, `2h`, `500ms`, `1d`;
// a plain number (or numeric string) is seconds, as in most CI tools.

const unitMs = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;
type Unit = keyof typeof unitMs;
// Largest first, so `1h30m` is accepted and a likely typo such as `30m1h` is not.
const unitOrder: readonly Unit[] = ["d", "h", "m", "s", "ms"];

const plainNumber = /^\d+(?:\.\d+)?$/;
// `ms` before `m` and `s` so `500ms` is not read as 500 minutes and a stray `s`.
const segment = /(\d+(?:\.\d+)?)\s*(ms|d|h|m|s)\s*/y;

/** Milliseconds, or null when `value` is not a duration. */
export function parseDuration(value: string | number): number | null {
  if (typeof value === "number") {
    return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : null;
  }
  const text = value.trim();
  if (text === "") return null;
  if (plainNumber.test(text)) return Math.round(Number(text) * 1000);

  let total = 0;
  let lastUnitIndex = -1;
  segment.lastIndex = 0;
  while (segment.lastIndex < text.length) {
    const match = segment.exec(text);
    if (!match) return null;
    const unit = match[2] as Unit;
    const unitIndex = unitOrder.indexOf(unit);
    if (unitIndex <= lastUnitIndex) return null;
    lastUnitIndex = unitIndex;
    total += Number(match[1]) * unitMs[unit];
  }
  return Math.round(total);
}
