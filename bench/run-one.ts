import { benchmarks, isBenchmarkName } from "./benchmarks.js";

// One benchmark in a process of its own (started by run.ts): memory figures are not disturbed
// by the benchmarks before it, and a crash is that benchmark's alone. The result goes back over IPC.

const name = process.argv[2] ?? "";
const databaseUrl = process.env.BENCH_PG_URL ?? "";
if (!isBenchmarkName(name) || !process.send) {
  console.error(`run-one: unknown benchmark "${name}" or not started by bench/run.ts; run \`npm run bench\` instead`);
  process.exit(2);
}
const send = process.send.bind(process);
try {
  const { run } = await benchmarks[name].load();
  const result = await run({ databaseUrl, progress: (message: string) => console.log(`  ${name}: ${message}`) });
  send({ result }, () => process.exit(0));
} catch (err) {
  console.error(err);
  send({ error: err instanceof Error ? err.message : String(err) }, () => process.exit(1));
}
