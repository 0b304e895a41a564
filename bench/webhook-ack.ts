import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { count, ne } from "drizzle-orm";
import pino from "pino";
import { Probot, ProbotOctokit, Server } from "probot";
import { DockerRuntime } from "../src/execution/docker/docker-runtime.js";
import { webhookDeliveries } from "../src/ingress/deliveries.sql.js";
import { runs } from "../src/runs/runs.sql.js";
import { APP_ID, startApp, WEBHOOK_SECRET } from "../test/helpers/app-harness.js";
import { freePort } from "../test/helpers/free-port.js";
import { examplePayload, signature } from "../test/helpers/webhooks.js";
import type { BenchContext } from "./context.js";
import { ratioOf, type BenchmarkResult } from "./figures.js";
import { guardAgainstGitHub } from "./github-guard.js";
import { createBenchDatabase, postgresConnectionPids } from "./postgres-server.js";
import { cpuMeter, ownMs, processCpu, readProcesses } from "./process-cpu.js";
import { elapsedMs, percentile } from "./stats.js";

// Webhook acknowledgement: how long GitHub waits for the app's answer to a signed delivery,
// against a Probot app whose handler does nothing, on the same Probot server, in the same run.

const DELIVERIES = 2_000;
const CONCURRENCY = 200;
const WARM_UP = 200;
const ROUNDS = 2;
/** How long the processor may take to handle a round's deliveries before the next load starts regardless. */
const DRAIN_WAIT_MS = 60_000;
const COMMENT = "Thanks, this looks good to me.";

interface LoadResult {
  latencies: number[];
  failures: string[];
  wallMs: number;
}

function loadInThread(job: { url: string; body: string; headers: Record<string, string>; deliveryPrefix: string; count: number; concurrency: number }) {
  return new Promise<LoadResult>((resolve, reject) => {
    const worker = new Worker(new URL("./webhook-load-thread.mjs", import.meta.url), { workerData: job });
    worker.once("message", (result: LoadResult) => resolve(result));
    worker.once("error", reject);
  });
}

/** A Probot app on the same server class, with a handler that does nothing. */
async function startNoopApp(): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const log = pino({ level: "silent" });
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  const server = new Server({
    host: "127.0.0.1",
    port,
    log,
    Probot: Probot.defaults({ appId: APP_ID, privateKey, secret: WEBHOOK_SECRET, Octokit: ProbotOctokit, log }),
  });
  await server.load((app) => {
    app.on("issue_comment.created", async () => {});
  });
  await server.start();
  return { url: `http://127.0.0.1:${port}`, stop: () => server.stop() };
}

export async function run(context: BenchContext): Promise<BenchmarkResult> {
  const guard = guardAgainstGitHub();
  const database = await createBenchDatabase(context.databaseUrl);
  const workspaceRoot = await mkdtemp(join(tmpdir(), "automations-bench-webhooks-"));
  const app = await startApp({ database, runtime: new DockerRuntime(), workspaceRoot, workerConcurrency: 0 });
  const noop = await startNoopApp();
  try {
    const payload = examplePayload("issue_comment", (p) => p.action === "created" && p.installation !== undefined);
    payload.comment.body = COMMENT;
    const body = JSON.stringify(payload);
    const headers = {
      "content-type": "application/json",
      "x-github-event": "issue_comment",
      "x-hub-signature-256": signature(WEBHOOK_SECRET, body),
    };
    const target = (base: string) => `${base}/api/github/webhooks`;
    const job = (base: string, prefix: string, n: number) => ({
      url: target(base),
      body,
      headers,
      deliveryPrefix: prefix,
      count: n,
      concurrency: CONCURRENCY,
    });

    // The processor works through the stored deliveries beside the endpoint, as in `npm start`.
    const countRows = async (which: "stored" | "handled") => {
      const query = database.db.select({ n: count() }).from(webhookDeliveries);
      const [row] = await (which === "handled" ? query.where(ne(webhookDeliveries.status, "pending")) : query);
      return row?.n ?? 0;
    };
    /** Waits until the processor has handled every stored delivery; how long it took, or null when it had not after DRAIN_WAIT_MS. */
    const drained = async (): Promise<number | null> => {
      const stored = await countRows("stored");
      const start = process.hrtime.bigint();
      while ((await countRows("handled")) < stored) {
        if (elapsedMs(start) > DRAIN_WAIT_MS) return null;
        await new Promise((r) => setTimeout(r, 20));
      }
      return elapsedMs(start);
    };

    context.progress(`warming up both apps with ${WARM_UP} deliveries each`);
    await loadInThread(job(noop.url, "noop-warm-up", WARM_UP));
    await loadInThread(job(app.url, "app-warm-up", WARM_UP));
    await drained();

    // Alternating rounds, so a slow moment of the machine falls on both sides alike. Each load
    // starts with both apps idle: the processor has handled the deliveries of the rounds before,
    // so its work after a round is not measured against the no-op app.
    const measured = { app: [] as number[], noop: [] as number[] };
    const failures: string[] = [];
    const wall = { app: 0, noop: 0 };
    const afterRounds: Array<{ handledDuringLoad: number; drainMs: number | null }> = [];
    const perRound = DELIVERIES / ROUNDS;
    // CPU while each load runs: the main thread (both apps' endpoints), the whole process (with
    // the load's thread, alike for both) and PostgreSQL's connections.
    const parts = ["main", "process", "postgres"] as const;
    const readCpu = async () => {
      const main = await processCpu("self", process.pid);
      return {
        main: new Map(main ? [[process.pid, main.ownMs]] : []),
        process: ownMs(await readProcesses([process.pid])),
        postgres: ownMs(await readProcesses(await postgresConnectionPids(database.db))),
      };
    };
    const cpu = { app: cpuMeter(parts, readCpu), noop: cpuMeter(parts, readCpu) };
    for (let round = 1; round <= ROUNDS; round++) {
      context.progress(`round ${round}/${ROUNDS}: ${perRound} deliveries at ${CONCURRENCY} concurrent to each app`);
      const noopMeasured = await cpu.noop.start();
      const base = await loadInThread(job(noop.url, `noop-${round}`, perRound));
      await noopMeasured();
      const handledBefore = await countRows("handled");
      const appMeasured = await cpu.app.start();
      const ours = await loadInThread(job(app.url, `app-${round}`, perRound));
      await appMeasured();
      const handledDuringLoad = (await countRows("handled")) - handledBefore;
      afterRounds.push({ handledDuringLoad, drainMs: await drained() });
      measured.noop.push(...base.latencies);
      measured.app.push(...ours.latencies);
      failures.push(...base.failures.map((f) => `no-op app: ${f}`), ...ours.failures.map((f) => `app: ${f}`));
      wall.noop += base.wallMs;
      wall.app += ours.wallMs;
    }

    const stored = await countRows("stored");
    const handled = await countRows("handled");
    const [runsMade] = await database.db.select({ n: count() }).from(runs);
    const p = (which: "app" | "noop", q: number) => percentile(measured[which], q);
    const perDelivery = (ms: number) => `${Math.round((ms * 1000) / DELIVERIES)} µs`;
    const drainNote = afterRounds
      .map(({ handledDuringLoad, drainMs }, i) =>
        drainMs === null
          ? `round ${i + 1}: ${handledDuringLoad} handled during the load, not all ${(DRAIN_WAIT_MS / 1000).toFixed(0)} s after it`
          : `round ${i + 1}: ${handledDuringLoad} handled during the load, the rest within ${(drainMs / 1000).toFixed(1)} s after it (${Math.round((perRound - handledDuringLoad) / Math.max(drainMs / 1000, 0.001))}/s)`,
      )
      .join("; ");
    const notes = [
      `${DELIVERIES} signed issue_comment.created deliveries (@octokit/webhooks-examples) per app at ${CONCURRENCY} concurrent over node:http keep-alive, in ${ROUNDS} alternating rounds after ${WARM_UP} warm-up deliveries each; the load is sent from a worker thread. Latency: from sending a request to the end of its answer.`,
      `The app is automationsApp as test/helpers/app-harness.ts wires it (PostgreSQL, the webhook processor running, no action workers): the endpoint checks the signature, reads the payload's action (not the whole payload) and answers once the insert holding the delivery has committed (deliveries arriving together share one insert and commit); the no-op app's Probot parses each payload and builds a context for its handler; the processor gives way to the endpoint during a burst (up to 1 s), then hands each delivery to the comment handler, which finds no /automation command and does nothing (${runsMade?.n ?? 0} runs made).`,
      `Each load starts with both apps idle: before it, the processor has handled every delivery stored so far. Processor: ${drainNote}. Deliveries stored: ${stored}, handled: ${handled}.`,
      `The baseline is the same Probot Server with a handler that does nothing. Requests refused on their way to GitHub: ${guard.refused.length}. Failed requests: ${failures.length}${failures.length ? ` (first: ${failures[0]})` : ""}.`,
      `Throughput: app ${Math.round((DELIVERIES / wall.app) * 1000)}/s, no-op app ${Math.round((DELIVERIES / wall.noop) * 1000)}/s.`,
      `CPU time per delivery while the loads ran, from /proc: app: main thread ${perDelivery(cpu.app.totals.main)}, whole process ${perDelivery(cpu.app.totals.process)} (the load's thread included), PostgreSQL's connections ${perDelivery(cpu.app.totals.postgres)}; no-op app: main thread ${perDelivery(cpu.noop.totals.main)}, whole process ${perDelivery(cpu.noop.totals.process)}, PostgreSQL's connections ${perDelivery(cpu.noop.totals.postgres)}.`,
    ];
    const p50 = { value: p("app", 50), baseline: p("noop", 50) };
    const p99 = { value: p("app", 99), baseline: p("noop", 99) };
    return {
      benchmark: "webhook acknowledgement",
      baseline: "no-op Probot app",
      notes,
      figures: [
        { name: "p50 latency", unit: "ms", ...p50, ratio: ratioOf(p50.value, p50.baseline), goal: { on: "ratio", op: "<=", limit: 1.2 } },
        { name: "p99 latency", unit: "ms", ...p99, ratio: ratioOf(p99.value, p99.baseline), goal: { on: "ratio", op: "<=", limit: 1.2 } },
        ...(failures.length + guard.refused.length > 0
          ? [{ name: "failed or GitHub-bound requests", unit: "", value: failures.length + guard.refused.length, goal: { on: "value" as const, op: "<=" as const, limit: 0 } }]
          : []),
      ],
    };
  } finally {
    await noop.stop();
    await app.stop();
    guard.restore();
    await database.destroy();
    await rm(workspaceRoot, { recursive: true, force: true });
  }
}
