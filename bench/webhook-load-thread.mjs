// The load generator of the webhook benchmark, in a thread of its own so that sending requests
// and timing them does not share an event loop with the server being measured.
import { Agent, request } from "node:http";
import { parentPort, workerData } from "node:worker_threads";

/** @param {{ url: string, body: string, headers: Record<string, string>, deliveryPrefix: string, count: number, concurrency: number }} job */
async function load(job) {
  const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency });
  // Encoded once: the load thread shares the machine's CPUs with the apps it measures.
  const body = Buffer.from(job.body);
  const headers = { ...job.headers, "content-length": String(body.length) };
  const latencies = [];
  const failures = [];
  let next = 0;
  const send = (i) =>
    new Promise((resolve) => {
      const started = process.hrtime.bigint();
      const req = request(
        job.url,
        {
          method: "POST",
          agent,
          headers: { ...headers, "x-github-delivery": `${job.deliveryPrefix}-${i}` },
        },
        (res) => {
          res.resume();
          res.on("end", () => {
            latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
            if (res.statusCode !== 200) failures.push(`HTTP ${res.statusCode}`);
            resolve();
          });
        },
      );
      req.on("error", (error) => {
        failures.push(error.message);
        resolve();
      });
      req.end(body);
    });
  const lane = async () => {
    while (next < job.count) await send(next++);
  };
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: job.concurrency }, lane));
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  agent.destroy();
  return { latencies, failures, wallMs };
}

parentPort.postMessage(await load(workerData));
