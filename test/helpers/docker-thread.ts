import { parentPort } from "node:worker_threads";
import { DockerRuntime } from "../../src/execution/docker/docker-runtime.js";
import { ContainerError, type RunningContainer } from "../../src/execution/container-runtime.js";

// The real DockerRuntime, in a thread where nock is not loaded (see threaded-docker-runtime.ts).

type Request =
  | { id: number; op: "start"; spec: Parameters<DockerRuntime["start"]>[0] }
  | { id: number; op: "exec"; containerId: string; spec: Parameters<RunningContainer["exec"]>[0] }
  | { id: number; op: "kill" | "remove"; containerId: string }
  | { id: number; op: "removeByLabel"; key: string; value: string };

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
      const started = await runtime.start(request.spec);
      containers.set(started.id, started);
      return started.id;
    }
    case "exec":
      return container(request.containerId).exec(request.spec, (stream, chunk) =>
        port.postMessage({ id: request.id, output: { stream, chunk: new Uint8Array(chunk) } }),
      );
    case "kill":
      return container(request.containerId).kill();
    case "remove":
      await container(request.containerId).remove();
      containers.delete(request.containerId);
      return undefined;
    case "removeByLabel":
      return runtime.removeByLabel(request.key, request.value);
  }
}

port.on("message", (request: Request) => {
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
