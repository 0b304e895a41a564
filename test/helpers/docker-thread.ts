import { parentPort } from "node:worker_threads";
import { DockerRuntime } from "../../src/execution/docker/docker-runtime.js";
import { ContainerError, type OutputStream, type RunningContainer } from "../../src/execution/container-runtime.js";

// The real DockerRuntime, in a thread where nock is not loaded (see threaded-docker-runtime.ts).

type Request =
  | { id: number; op: "start"; spec: Parameters<DockerRuntime["start"]>[0] }
  | { id: number; op: "exec"; containerId: string; spec: Parameters<RunningContainer["exec"]>[0] }
  | { id: number; op: "kill" | "remove" | "runFinal"; containerId: string }
  | { id: number; op: "outOfMemory"; containerId: string; since: number }
  | { id: number; op: "removeByLabel"; key: string; value: string };

/** The main thread has handled (and, under backpressure, stored) this much of an exec's output. */
type Ack = { id: number; op: "ack"; bytes: number };

// Output an exec may send ahead of the main thread's acknowledgements before it is paused.
const MAX_UNACKED_BYTES = 1024 * 1024;

/** Per exec: bytes sent but not yet acknowledged, and who waits for them to drop. */
const flows = new Map<number, { unacked: number; waiters: Array<() => void> }>();

const runtime = new DockerRuntime();
const containers = new Map<string, RunningContainer>();
const port = parentPort!;

function container(id: string): RunningContainer {
  const found = containers.get(id);
  if (!found) throw new Error(`no container ${id} in this thread`);
  return found;
}

async function handle(request: Request): Promise<unknown> {
  switch (request.op) {
    case "start": {
      const started = await runtime.start(request.spec, (line) => port.postMessage({ id: request.id, progress: line }));
      containers.set(started.id, started);
      return started.id;
    }
    case "exec":
    case "runFinal": {
      const flow = { unacked: 0, waiters: [] as Array<() => void> };
      flows.set(request.id, flow);
      const onOutput = (stream: OutputStream, chunk: Buffer) => {
        flow.unacked += chunk.byteLength;
        port.postMessage({ id: request.id, output: { stream, chunk: new Uint8Array(chunk) } });
      };
      const backpressure = () => (flow.unacked > MAX_UNACKED_BYTES ? new Promise<void>((resolve) => flow.waiters.push(resolve)) : undefined);
      try {
        const running = container(request.containerId);
        return await (request.op === "exec" ? running.exec(request.spec, onOutput, backpressure) : running.runFinal(onOutput, backpressure));
      } finally {
        flows.delete(request.id);
      }
    }
    case "kill":
      return container(request.containerId).kill();
    case "outOfMemory":
      return container(request.containerId).outOfMemory(new Date(request.since));
    case "remove":
      await container(request.containerId).remove();
      containers.delete(request.containerId);
      return undefined;
    case "removeByLabel":
      return runtime.removeByLabel(request.key, request.value);
  }
}

function acknowledge(ack: Ack): void {
  const flow = flows.get(ack.id);
  if (!flow) return;
  flow.unacked -= ack.bytes;
  if (flow.unacked > MAX_UNACKED_BYTES / 2) return;
  const woken = flow.waiters;
  flow.waiters = [];
  for (const wake of woken) wake();
}

port.on("message", (request: Request | Ack) => {
  if (request.op === "ack") return acknowledge(request);
  handle(request).then(
    (result) => port.postMessage({ id: request.id, result }),
    (err: unknown) =>
      port.postMessage({
        id: request.id,
        error: {
          message: err instanceof Error ? err.message : String(err),
          kind: err instanceof ContainerError ? err.kind : undefined,
        },
      }),
  );
});
