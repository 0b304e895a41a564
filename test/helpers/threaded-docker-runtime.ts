import { Worker } from "node:worker_threads";
import {
  ContainerError,
  type Backpressure,
  type ContainerRuntime,
  type ContainerSpec,
  type ExecResult,
  type ExecSpec,
  type OutputStream,
  type RunningContainer,
} from "../../src/execution/container-runtime.js";

/**
 * The real Docker engine for tests that also mock GitHub with nock. nock intercepts every HTTP
 * request of the process it is loaded in, and an exec's output stream, which the engine sends on
 * a connection it takes over, does not reliably survive nock's pass-through. So the unchanged
 * DockerRuntime runs in a worker thread of its own, and this forwards the interface to it.
 */
export class ThreadedDockerRuntime implements ContainerRuntime {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    {
      resolve(value: unknown): void;
      reject(err: Error): void;
      onOutput?: (stream: OutputStream, chunk: Buffer) => void;
      backpressure?: Backpressure;
      onProgress?: (line: string) => void;
    }
  >();

  constructor() {
    this.worker = new Worker(new URL("./docker-thread-entry.mjs", import.meta.url));
    this.worker.on("message", (message: { id: number; output?: { stream: OutputStream; chunk: Uint8Array }; progress?: string; result?: unknown; error?: { message: string; kind?: ContainerError["kind"] } }) => {
      const call = this.pending.get(message.id);
      if (!call) return;
      if (message.progress !== undefined) {
        call.onProgress?.(message.progress);
        return;
      }
      if (message.output) {
        const bytes = message.output.chunk.byteLength;
        call.onOutput?.(message.output.stream, Buffer.from(message.output.chunk));
        // The thread sends only so much ahead of these acknowledgements: backpressure across it.
        const ack = () => this.worker.postMessage({ op: "ack", id: message.id, bytes });
        const wait = call.backpressure?.();
        if (wait) void wait.then(ack, ack);
        else ack();
        return;
      }
      this.pending.delete(message.id);
      if (message.error) {
        call.reject(message.error.kind ? new ContainerError(message.error.message, message.error.kind) : new Error(message.error.message));
      } else {
        call.resolve(message.result);
      }
    });
    const failAll = (err: Error) => {
      for (const call of this.pending.values()) call.reject(err);
      this.pending.clear();
    };
    this.worker.on("error", failAll);
    this.worker.on("exit", (code) => failAll(new Error(`the Docker test thread exited with code ${code}`)));
    this.worker.unref();
  }

  private call<T>(
    request: Record<string, unknown>,
    onOutput?: (stream: OutputStream, chunk: Buffer) => void,
    onProgress?: (line: string) => void,
    backpressure?: Backpressure,
  ): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, onOutput, backpressure, onProgress });
      this.worker.postMessage({ ...request, id });
    });
  }

  async start(spec: ContainerSpec, onProgress?: (line: string) => void): Promise<RunningContainer> {
    const containerId = await this.call<string>({ op: "start", spec }, undefined, onProgress);
    return {
      id: containerId,
      exec: (execSpec: ExecSpec, onOutput, backpressure) =>
        this.call<ExecResult>({ op: "exec", containerId, spec: execSpec }, onOutput, undefined, backpressure),
      runFinal: (onOutput, backpressure) => this.call<ExecResult>({ op: "runFinal", containerId }, onOutput, undefined, backpressure),
      kill: () => this.call<void>({ op: "kill", containerId }),
      remove: () => this.call<void>({ op: "remove", containerId }),
      outOfMemory: (since: Date) => this.call<boolean>({ op: "outOfMemory", containerId, since: since.getTime() }),
    };
  }

  removeByLabel(key: string, value: string): Promise<number> {
    return this.call<number>({ op: "removeByLabel", key, value });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
