import type { BenchContext } from "./context.js";
import type { BenchmarkResult } from "./figures.js";

/** Every benchmark, by the name BENCH_ONLY takes, in the order they run. */
export const benchmarks = {
  "webhook-ack": { needs: { docker: false }, load: () => import("./webhook-ack.js") },
  "dispatch-overhead": { needs: { docker: true }, load: () => import("./dispatch-overhead.js") },
  "fan-out": { needs: { docker: false }, load: () => import("./fan-out.js") },
  "log-ingestion": { needs: { docker: true }, load: () => import("./log-ingestion.js") },
  "embedded-start": { needs: { docker: false }, load: () => import("./embedded-start.js") },
} satisfies Record<string, { needs: { docker: boolean }; load(): Promise<{ run(context: BenchContext): Promise<BenchmarkResult> }> }>;

export type BenchmarkName = keyof typeof benchmarks;

export function isBenchmarkName(name: string): name is BenchmarkName {
  return Object.hasOwn(benchmarks, name);
}
