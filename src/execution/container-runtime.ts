// The edge between execution and a container engine. Docker implements it in ./docker/;
// nothing outside that folder imports dockerode.

export interface ContainerSpec {
  image: string;
  /** Host directory mounted read-write at `workspaceMount`. */
  workspaceDir: string;
  workspaceMount: string;
  env: Record<string, string>;
  /** Labels put on the container, e.g. the action id, so a lost container can be found. */
  labels: Record<string, string>;
  /** Defaults to the image's user. */
  user?: string;
  network: "bridge" | "none";
  resources: { memoryBytes?: number; nanoCpus?: number; pids?: number };
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

export interface RunningContainer {
  readonly id: string;
  /** Runs a command; output is handed over chunk by chunk as it comes. */
  exec(spec: ExecSpec, onOutput: (stream: OutputStream, chunk: Buffer) => void): Promise<ExecResult>;
  /** Stops everything in the container at once. Harmless when already stopped. */
  kill(): Promise<void>;
  /** Removes the container. Harmless when already gone. */
  remove(): Promise<void>;
}

export interface ContainerRuntime {
  /** Creates and starts a long-lived container that commands are executed in. */
  start(spec: ContainerSpec): Promise<RunningContainer>;
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
