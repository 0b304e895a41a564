// The edge between execution and a container engine. Docker implements it in ./docker/;
// nothing outside that folder imports dockerode.

export interface ContainerSpec {
  image: string;
  /** Host directory mounted read-write at `workspaceMount`. */
  workspaceDir: string;
  workspaceMount: string;
  env: Record<string, string>;
  /** More host directories mounted read-write, e.g. the agent's prompt and session files. */
  extraMounts?: Array<{ source: string; target: string }>;
  /** Labels put on the container, e.g. the action id, so a lost container can be found. */
  labels: Record<string, string>;
  /** Defaults to a non-root user chosen by containerUser() in src/security/container-hardening.ts. */
  user?: string;
  network: "bridge" | "none";
  resources: { memoryBytes?: number; nanoCpus?: number; pids?: number };
  /**
   * The action's last command. The container waits for it from the start and runs it as its own
   * main process once `runFinal()` is called, so it needs no exec and the container ends with it.
   * Absent: the container only waits for execs.
   */
  finalCommand?: FinalCommand;
}

/** Like an ExecSpec, but fixed when the container is created. */
export interface FinalCommand {
  /** argv, e.g. ["/bin/sh", "-c", "npm test"]. */
  command: string[];
  env: Record<string, string>;
  workingDir: string;
}

export interface ExecSpec {
  /** argv, e.g. ["sh", "-c", "npm test"]. */
  command: string[];
  env?: Record<string, string>;
  workingDir?: string;
}

export type OutputStream = "stdout" | "stderr";

export interface ExecResult {
  exitCode: number;
}

/**
 * Asked after each chunk of output: a promise means "hold on". No more output is read from the
 * command until it settles, so the command blocks on a full pipe rather than its output piling
 * up in memory. Undefined means go on.
 */
export type Backpressure = () => Promise<void> | undefined;

export interface RunningContainer {
  readonly id: string;
  /** Runs a command; output is handed over chunk by chunk as it comes, paced by `backpressure`. */
  exec(
    spec: ExecSpec,
    onOutput: (stream: OutputStream, chunk: Buffer) => void,
    backpressure?: Backpressure,
  ): Promise<ExecResult>;
  /**
   * Runs the spec's `finalCommand`, handing its output over like exec(). After it, the container
   * has stopped: no exec can follow. Rejects when the container was started without one.
   */
  runFinal(onOutput: (stream: OutputStream, chunk: Buffer) => void, backpressure?: Backpressure): Promise<ExecResult>;
  /** Stops everything in the container at once. Harmless when already stopped. */
  kill(): Promise<void>;
  /** Removes the container. Harmless when already gone. */
  remove(): Promise<void>;
  /** Whether the kernel killed a process of this container for exceeding its memory limit since `since`. */
  outOfMemory(since: Date): Promise<boolean>;
}

export interface ContainerRuntime {
  /**
   * Creates and starts a long-lived container that commands are executed in. A missing image is
   * pulled first, its progress handed to `onProgress` line by line. A stop request (`signal`)
   * ends a pull in progress, and no container is made after it (`ActionStopped`).
   */
  start(spec: ContainerSpec, onProgress?: (line: string) => void, signal?: AbortSignal): Promise<RunningContainer>;
  /** Removes every container carrying this label value, e.g. one left behind by a lost worker. */
  removeByLabel(key: string, value: string): Promise<number>;
}

/** An error from the engine a person can act on: what happened and what to do. */
export class ContainerError extends Error {
  constructor(
    message: string,
    readonly kind: "image_missing" | "engine_unavailable" | "engine_error",
  ) {
    super(message);
    this.name = "ContainerError";
  }
}
