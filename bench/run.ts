import { fork } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, loadavg, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { dockerAvailable, ensureTestImage, TEST_IMAGE } from "../test/helpers/docker.js";
import { benchmarks, isBenchmarkName, type BenchmarkName } from "./benchmarks.js";
import { markdownTable, tableRows, type BenchmarkResult } from "./figures.js";
import { startPostgresServer } from "./postgres-server.js";

// `npm run bench`: starts what the benchmarks need (PostgreSQL, the tiny image), runs each in a
// process of its own, prints one table and writes bench/results.json. `BENCH_ONLY=fan-out,…`
// runs only those; their results replace the same benchmarks' in results.json.

const resultsFile = fileURLToPath(new URL("./results.json", import.meta.url));
const runOne = fileURLToPath(new URL("./run-one.ts", import.meta.url));

interface StoredResult extends BenchmarkResult {
  name: BenchmarkName;
  measuredAt: string;
  error?: string;
}

function selected(): BenchmarkName[] {
  const only = process.env.BENCH_ONLY?.split(",").map((n) => n.trim()).filter(Boolean);
  if (!only || only.length === 0) return Object.keys(benchmarks) as BenchmarkName[];
  const unknown = only.filter((n) => !isBenchmarkName(n));
  if (unknown.length > 0) {
    console.error(`BENCH_ONLY names no benchmark called ${unknown.join(", ")}; the benchmarks are: ${Object.keys(benchmarks).join(", ")}`);
    process.exit(2);
  }
  return only as BenchmarkName[];
}

function runInChild(name: BenchmarkName, databaseUrl: string): Promise<BenchmarkResult> {
  return new Promise((resolve, reject) => {
    const child = fork(runOne, [name], {
      execArgv: ["--import", "tsx", "--expose-gc"],
      env: { ...process.env, BENCH_PG_URL: databaseUrl },
      stdio: "inherit",
    });
    let answer: { result: BenchmarkResult } | { error: string } | undefined;
    child.on("message", (message) => (answer = message as typeof answer));
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      if (answer && "result" in answer) resolve(answer.result);
      else if (answer) reject(new Error(answer.error));
      else reject(new Error(`the ${name} benchmark ended (${signal ?? `exit code ${code}`}) without a result; its output above says why`));
    });
  });
}

async function previousResults(): Promise<StoredResult[]> {
  if (!existsSync(resultsFile)) return [];
  try {
    const stored = JSON.parse(await readFile(resultsFile, "utf8")) as { results?: StoredResult[] };
    return stored.results ?? [];
  } catch {
    return [];
  }
}

const names = selected();
const started = Date.now();
const loadAtStart = loadavg();
const needsDocker = names.some((name) => benchmarks[name].needs.docker);
if (needsDocker) {
  if (!(await dockerAvailable())) {
    console.error(
      `The ${names.filter((n) => benchmarks[n].needs.docker).join(" and ")} benchmarks need a Docker engine and none answers ` +
        "(DOCKER_HOST or /var/run/docker.sock). Start dockerd, or choose others with BENCH_ONLY.",
    );
    process.exit(1);
  }
  console.log(`Docker image ${TEST_IMAGE}: building it if missing`);
  await ensureTestImage();
}
console.log("PostgreSQL: starting an embedded server (BENCH_DATABASE_URL to use another)");
const postgres = await startPostgresServer();

const fresh: StoredResult[] = [];
try {
  for (const name of names) {
    console.log(`\n▶ ${name}`);
    const measuredAt = new Date().toISOString();
    const t0 = Date.now();
    try {
      const result = await runInChild(name, postgres.url);
      fresh.push({ name, measuredAt, ...result });
      console.log(`  ${name}: done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      console.error(`  ${name}: ${message}`);
      fresh.push({ name, measuredAt, benchmark: name, baseline: "–", notes: [], figures: [], error: message });
    }
  }
} finally {
  await postgres.stop();
}

const all = [...(await previousResults()).filter((r) => !names.includes(r.name)), ...fresh].sort(
  (a, b) => Object.keys(benchmarks).indexOf(a.name) - Object.keys(benchmarks).indexOf(b.name),
);
const table = markdownTable(tableRows(all));
const machine = {
  cpus: availableParallelism(),
  cpu: cpus()[0]?.model ?? "unknown",
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  // Other work on the machine slows both sides of each comparison, the app's side often more.
  loadAverageAtStart: loadAtStart.map((l) => Math.round(l * 10) / 10),
};

console.log("\nHow each was measured:");
for (const result of fresh) {
  console.log(`\n${result.benchmark} (baseline: ${result.baseline})`);
  for (const note of result.notes) console.log(`  - ${note}`);
  if (result.error) console.log(`  - ERROR: ${result.error}`);
}
console.log(`\n${table}\n`);
console.log(
  `${machine.cpus} CPUs (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}, load average ${machine.loadAverageAtStart.join(" ")} at the start; took ${((Date.now() - started) / 1000).toFixed(0)} s`,
);

await writeFile(resultsFile, `${JSON.stringify({ command: "npm run bench", machine, table, results: all }, null, 2)}\n`);
console.log(`Written to ${resultsFile}`);
process.exit(fresh.some((r) => r.error) ? 1 : 0);
