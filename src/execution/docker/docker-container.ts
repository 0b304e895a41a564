import { Writable, type Duplex } from "node:stream";
import type Docker from "dockerode";
import {
  ContainerError,
  type ExecResult,
  type ExecSpec,
  type OutputStream,
  type RunningContainer,
} from "../container-runtime.js";
import { toEnvList } from "./container-config.js";
import { engineStatusCode, toContainerError } from "./docker-errors.js";

/** What a command reports when the container was killed under it: 128 + SIGKILL, like a shell. */
export const KILLED_EXIT_CODE = 137;

// After kill(), an exec stream normally ends within milliseconds; past this, it is cut.
const KILL_SETTLE_GRACE_MS = 2_000;
// The engine can report an exec as running for a moment after its stream has ended.
const EXIT_CODE_POLLS = 20;
const EXIT_CODE_POLL_MS = 50;

/** Streams of the commands in flight, so kill() can make sure each one settles. */
interface InFlightExec {
  stream: Duplex;
  cutByKill: boolean;
}

export class DockerContainer implements RunningContainer {
  private killed = false;
  private readonly inFlight = new Set<InFlightExec>();

  constructor(
    private readonly docker: Docker,
    private readonly container: Docker.Container,
  ) {}

  get id(): string {
    return this.container.id;
  }

  /**
   * Resolves with the command's exit code. A command running when the container is killed or
   * removed resolves with KILLED_EXIT_CODE (137) rather than rejecting; a command started after
   * kill() rejects with a ContainerError.
   */
  async exec(spec: ExecSpec, onOutput: (stream: OutputStream, chunk: Buffer) => void): Promise<ExecResult> {
    const what = `run ${JSON.stringify(spec.command)} in container ${this.id.slice(0, 12)}`;
    if (this.killed) {
      throw new ContainerError(`Cannot ${what}: the container was already killed or removed.`, "engine_error");
    }
    let exec: Docker.Exec;
    let stream: Duplex;
    try {
      exec = await this.container.exec({
        Cmd: spec.command,
        Env: toEnvList(spec.env),
        ...(spec.workingDir === undefined ? {} : { WorkingDir: spec.workingDir }),
        AttachStdin: false,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
      });
      // No stdin, so no connection upgrade: the output comes as the response body, which also
      // passes through HTTP interceptors that cannot carry an upgraded socket.
      stream = (await exec.start({ hijack: false, stdin: false })) as Duplex;
    } catch (err) {
      // kill() raced the start: the caller sees the same result as a command killed mid-run.
      if (this.killed) return { exitCode: KILLED_EXIT_CODE };
      throw toContainerError(this.docker, err, what);
    }

    const entry: InFlightExec = { stream, cutByKill: false };
    this.inFlight.add(entry);
    try {
      await this.pumpOutput(stream, onOutput, what);
      // The engine hands this connection over to the raw stream; it must not carry another request.
      stream.destroy();
      return await this.exitCodeOf(exec, entry, what);
    } finally {
      this.inFlight.delete(entry);
    }
  }

  async kill(): Promise<void> {
    this.killed = true;
    try {
      // With SIGKILL the engine answers once the container has exited.
      await this.container.kill({ signal: "SIGKILL" });
    } catch (err) {
      // 404: already removed; 409: not running. Both mean it is stopped.
      const status = engineStatusCode(err);
      if (status !== 404 && status !== 409) throw toContainerError(this.docker, err, `kill container ${this.id}`);
    }
    this.cutStragglers();
  }

  async remove(): Promise<void> {
    this.killed = true;
    try {
      // v: anonymous volumes the image declares go with it; the workspace bind mount is untouched.
      await this.container.remove({ force: true, v: true });
    } catch (err) {
      // 404: already gone; 409: a removal is already in progress.
      const status = engineStatusCode(err);
      if (status !== 404 && status !== 409) throw toContainerError(this.docker, err, `remove container ${this.id}`);
    }
    this.cutStragglers();
  }

  /** Resolves when the stream ends, handing demultiplexed output over as it arrives. */
  private pumpOutput(
    stream: Duplex,
    onOutput: (stream: OutputStream, chunk: Buffer) => void,
    what: string,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (err?: unknown) => {
        if (settled) return;
        settled = true;
        if (err === undefined) resolve();
        else reject(err);
      };
      // A throwing callback must not crash the process from inside a socket handler.
      const sink = (name: OutputStream) =>
        new Writable({
          write(chunk: Buffer, _encoding, callback) {
            try {
              onOutput(name, chunk);
            } catch (err) {
              stream.destroy();
              settle(err);
            }
            callback();
          },
        });
      this.docker.modem.demuxStream(stream, sink("stdout"), sink("stderr"));
      stream.once("end", () => settle());
      stream.once("close", () => settle());
      stream.once("error", (err) => settle(this.killed ? undefined : toContainerError(this.docker, err, what)));
    });
  }

  private async exitCodeOf(exec: Docker.Exec, entry: InFlightExec, what: string): Promise<ExecResult> {
    for (let poll = 0; poll < EXIT_CODE_POLLS; poll++) {
      let info: Docker.ExecInspectInfo;
      try {
        info = await exec.inspect();
      } catch (err) {
        // The exec vanishes with its container when that is removed mid-run.
        if (engineStatusCode(err) === 404 && this.killed) return { exitCode: KILLED_EXIT_CODE };
        throw toContainerError(this.docker, err, `read the exit code of ${what}`);
      }
      if (!info.Running && info.ExitCode !== null) return { exitCode: info.ExitCode };
      if (entry.cutByKill) return { exitCode: KILLED_EXIT_CODE };
      await new Promise((resolve) => setTimeout(resolve, EXIT_CODE_POLL_MS));
    }
    if (this.killed) return { exitCode: KILLED_EXIT_CODE };
    throw new ContainerError(
      `Docker engine did not report an exit code for ${what} after its output ended; ` +
        "check the engine's health (docker info) and the container's state.",
      "engine_error",
    );
  }

  // Streams end by themselves once the container dies; this is the guarantee that exec settles
  // even if the engine never closes one.
  private cutStragglers(): void {
    for (const entry of this.inFlight) {
      if (entry.stream.destroyed) continue;
      const timer = setTimeout(() => {
        entry.cutByKill = true;
        entry.stream.destroy();
      }, KILL_SETTLE_GRACE_MS);
      timer.unref();
      entry.stream.once("close", () => clearTimeout(timer));
    }
  }
}
