// Sizes as people write them for Docker: `512m`, `4g`, `1.5g`, `100k`, also `4G`, `4gb`, `4GiB`, `512Mi`;
// a plain number is bytes. Units are binary (1k = 1024), as `docker run --memory` reads them.

const unitPower = { b: 0, k: 1, m: 2, g: 3, t: 4 } as const;
type Unit = keyof typeof unitPower;

const sizePattern = /^(\d+(?:\.\d+)?)\s*(?:([kmgt])(?:ib?|b)?|(b))?$/i;

/** Bytes, or null when `value` is not a size. */
export function parseSize(value: string | number): number | null {
  if (typeof value === "number") {
    return Number.isFinite(value) && value >= 0 ? Math.round(value) : null;
  }
  const match = sizePattern.exec(value.trim());
  if (!match) return null;
  const unit = (match[2] ?? match[3] ?? "b").toLowerCase() as Unit;
  return Math.round(Number(match[1]) * 1024 ** unitPower[unit]);
}
