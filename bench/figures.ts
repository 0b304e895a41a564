// What every benchmark reports: figures measured against a baseline taken in the same run, and
// the goal each is held to. A figure without a goal is shown for information.

export interface Figure {
  /** What was measured, e.g. "p99 latency". */
  name: string;
  value: number;
  unit: string;
  /** The same measure of the baseline, when there is one. */
  baseline?: number;
  /** value / baseline, or the figure itself when the goal is on a ratio. */
  ratio?: number;
  /** What the figure must be, read by `meetsGoal`. */
  goal?: Goal;
}

/** A goal on the ratio or on the value: `≤ 1.2×`, `< 2 s`, … */
export type Goal = { on: "ratio" | "value"; op: "<" | "<="; limit: number };

export interface BenchmarkResult {
  benchmark: string;
  /** The baseline, in words, e.g. "no-op Probot app". */
  baseline: string;
  /** How it was measured, in a line or two (what the handler does, the parallelism, …). */
  notes: string[];
  figures: Figure[];
}

export function meetsGoal(figure: Figure): boolean | undefined {
  const { goal } = figure;
  if (!goal) return undefined;
  const measured = goal.on === "ratio" ? figure.ratio : figure.value;
  if (measured === undefined || !Number.isFinite(measured)) return false;
  return goal.op === "<" ? measured < goal.limit : measured <= goal.limit;
}

export function ratioOf(value: number, baseline: number): number {
  return baseline > 0 ? value / baseline : Number.POSITIVE_INFINITY;
}

function formatNumber(value: number | null): string {
  // NaN (nothing measured) comes back from the benchmark's process as null.
  if (value === null || Number.isNaN(value)) return "–";
  if (!Number.isFinite(value)) return "∞";
  const abs = Math.abs(value);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function formatGoal(figure: Figure): string {
  const { goal } = figure;
  if (!goal) return "–";
  const op = goal.op === "<" ? "<" : "≤";
  return goal.on === "ratio" ? `${op} ${goal.limit}×` : `${op} ${goal.limit} ${figure.unit}`.trim();
}

export interface TableRow {
  benchmark: string;
  figure: string;
  value: string;
  baseline: string;
  ratio: string;
  goal: string;
  result: string;
}

function figureRow(benchmark: string, figure: Figure): TableRow {
  const met = meetsGoal(figure);
  return {
    benchmark,
    figure: figure.name,
    value: `${formatNumber(figure.value)} ${figure.unit}`.trim(),
    baseline: figure.baseline === undefined ? "–" : `${formatNumber(figure.baseline)} ${figure.unit}`.trim(),
    ratio: figure.ratio === undefined ? "–" : `${formatNumber(figure.ratio)}×`,
    goal: formatGoal(figure),
    result: met === undefined ? "info" : met ? "pass" : "FAIL",
  };
}

/** One row per figure; a benchmark that ended without figures shows as one row saying so. */
export function tableRows(results: Array<BenchmarkResult & { error?: string }>): TableRow[] {
  return results.flatMap((result) =>
    result.error !== undefined
      ? [{ benchmark: result.benchmark, figure: "did not finish", value: "–", baseline: "–", ratio: "–", goal: "–", result: "ERROR" }]
      : result.figures.map((figure) => figureRow(result.benchmark, figure)),
  );
}

const columns: Array<[keyof TableRow, string]> = [
  ["benchmark", "benchmark"],
  ["figure", "figure"],
  ["value", "value"],
  ["baseline", "baseline"],
  ["ratio", "ratio"],
  ["goal", "goal"],
  ["result", "result"],
];

/** A Markdown table: readable in a terminal, and pasted as is into README's Figures. */
export function markdownTable(rows: TableRow[]): string {
  const widths = columns.map(([key, title]) => Math.max(title.length, ...rows.map((row) => [...row[key]].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell + " ".repeat(widths[i]! - [...cell].length)).join(" | ")} |`;
  return [
    line(columns.map(([, title]) => title)),
    `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`,
    ...rows.map((row) => line(columns.map(([key]) => row[key]))),
  ].join("\n");
}
