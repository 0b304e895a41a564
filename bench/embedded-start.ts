import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { openDatabase } from "../src/db/client.js";
import { migrateDatabase } from "../src/db/migrate.js";
import type { BenchContext } from "./context.js";
import { ratioOf, type BenchmarkResult } from "./figures.js";
import { median } from "./stats.js";

// Embedded start: what `npm start` without DATABASE_URL does before it can serve, opening PGlite
// in an empty data directory and applying every migration, against PGlite.create() alone.

const REPEATS = 2;

async function timeInFreshDir(what: (dir: string) => Promise<() => Promise<void>>): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), "automations-bench-pglite-"));
  try {
    const start = process.hrtime.bigint();
    const close = await what(dir);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    await close();
    return ms;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function run(context: BenchContext): Promise<BenchmarkResult> {
  context.progress("loading PGlite once (its WebAssembly is compiled on first use)");
  const warm = await PGlite.create();
  await warm.close();

  const bare: number[] = [];
  const app: number[] = [];
  for (let i = 1; i <= REPEATS; i++) {
    context.progress(`start ${i}/${REPEATS}: bare PGlite.create(), then openDatabase + migrateDatabase`);
    bare.push(
      await timeInFreshDir(async (dir) => {
        const pglite = await PGlite.create(join(dir, "pglite"));
        return () => pglite.close();
      }),
    );
    app.push(
      await timeInFreshDir(async (dir) => {
        const database = await openDatabase({ dataDir: dir });
        await migrateDatabase(database);
        return () => database.close();
      }),
    );
  }
  const value = median(app);
  const baseline = median(bare);
  return {
    benchmark: "embedded start",
    baseline: "PGlite.create() on an empty directory",
    notes: [
      `Cold start to ready in an empty data directory: the app's openDatabase (PGlite) plus migrateDatabase (every migration in drizzle/), against PGlite.create() on an empty directory alone; median of ${REPEATS}, alternating, after one untimed in-memory start that loads PGlite's WebAssembly.`,
      `App: ${app.map((ms) => ms.toFixed(0)).join(", ")} ms; bare: ${bare.map((ms) => ms.toFixed(0)).join(", ")} ms.`,
    ],
    figures: [{ name: "cold start to ready", unit: "ms", value, baseline, ratio: ratioOf(value, baseline) }],
  };
}
