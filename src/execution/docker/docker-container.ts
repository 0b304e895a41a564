import type { Duplex } from "node:stream";
import type Docker from "dockerode";
import {
  ContainerError,
  type ExecResult,
  type ExecSpec,
  type Backpressure,
  type OutputStream,
  type RunningContainer,
} from "../container-runtime.js";
import { RUN_FINAL_COMMAND, toEnvList } from "./container-config.js";
import { createOutputDemuxer } from "./demux-output.js";
import { engineStatusCode, toContainerError } from "./docker-errors.js";

/** What a command reports when the container was killed under it: 128 + SIGKILL, like a shell. */
export const KILLED_EXIT_CODE = 137;

// After kill(), an exec stream normally ends within milliseconds; past this, it is cut.
const KILL_SETTLE_GRACE_MS = 2_000;
// The engine can report an exec as running for a moment after its stream has ended.
const EXIT_CODE_POLLS = 20;
const EXIT_CODE_POLL_MS = 50;
// How long the engine may take to record an OOM kill after the command's exit.
const OOM_EVENT_WAITS_MS = [250, 500, 1_000];

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
    /** Whether the container was created waiting for a final command (container-config.ts). */
    private readonly hasFinalCommand = false,
  ) {}

  get id(): string {
    return this.container.id;
  }

  /**
   * Resolves with the command's exit code. A command running when the container is killed or
   * removed resolves with KILLED_EXIT_CODE (137) rather than rejecting; a command started after
   * kill() rejects with a ContainerError.
   */
  async exec(
    spec: ExecSpec,
    onOutput: (stream: OutputStream, chunk: Buffer) => void,
    backpressure?: Backpressure,
  ): Promise<ExecResult> {
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

    return this.follow(stream, onOutput, backpressure, what, (entry) => this.exitCodeOf(exec, entry, what));
  }

  /**
   * Starts the final command the container waits for, by the line it waits for on stdin, and
   * follows it like an exec. Its exit code is the container's: the engine's wait gives it.
   */
  async runFinal(onOutput: (stream: OutputStream, chunk: Buffer) => void, backpressure?: Backpressure): Promise<ExecResult> {
    const what = `run the final command in container ${this.id.slice(0, 12)}`;
    if (!this.hasFinalCommand) {
      throw new ContainerError(`Cannot ${what}: the container was created without one.`, "engine_error");
    }
    if (this.killed) {
      throw new ContainerError(`Cannot ${what}: the container was already killed or removed.`, "engine_error");
    }
    let stream: Duplex;
    try {
      // Writing stdin needs the connection taken over; the output then comes on the same socket.
      stream = (await this.container.attach({ stream: true, hijack: true, stdin: true, stdout: true, stderr: true })) as Duplex;
    } catch (err) {
      if (this.killed) return { exitCode: KILLED_EXIT_CODE };
      throw toContainerError(this.docker, err, what);
    }
    // Ending stdin right away leaves the command an empty stdin, as an exec's.
    stream.end(RUN_FINAL_COMMAND);
    return this.follow(stream, onOutput, backpressure, what, () => this.finalExitCode(what));
  }

  /** Hands a command's output over until it ends, then asks for its exit code. */
  private async follow(
    stream: Duplex,
    onOutput: (stream: OutputStream, chunk: Buffer) => void,
    backpressure: Backpressure | undefined,
    what: string,
    exitCode: (entry: InFlightExec) => Promise<ExecResult>,
  ): Promise<ExecResult> {
    const entry: InFlightExec = { stream, cutByKill: false };
    this.inFlight.add(entry);
    try {
      await this.pumpOutput(stream, onOutput, backpressure, what);
      // The engine hands this connection over to the raw stream; it must not carry another request.
      stream.destroy();
      return await exitCode(entry);
    } finally {
      this.inFlight.delete(entry);
    }
  }

  private async finalExitCode(what: string): Promise<ExecResult> {
    try {
      // Answers once the container has stopped, with its main process's exit code.
      const { StatusCode } = (await this.container.wait()) as { StatusCode: number };
      return { exitCode: StatusCode };
    } catch (err) {
      if (engineStatusCode(err) === 404 && this.killed) return { exitCode: KILLED_EXIT_CODE };
      throw toContainerError(this.docker, err, `read the exit code of ${what}`);
    }
  }

  async kill(): Promise<void> {
    this.killed = true;
    this.releaseBackpressure();
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
    this.releaseBackpressure();
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

  async outOfMemory(since: Date): Promise<boolean> {
    try {
      // Set only when the container's main process was the one killed.
      if ((await this.container.inspect()).State.OOMKilled === true) return true;
    } catch (err) {
      // Gone already: nothing more can be learnt about it.
      if (engineStatusCode(err) === 404) return false;
      throw toContainerError(this.docker, err, `inspect container ${this.id}`);
    }
    // An exec'd command is not the main process; its OOM kill shows only as the engine's "oom"
    // event, which the engine may record a moment after the command's exit, longer on a busy
    // machine: look again after waits that grow.
    if (await this.oomEventSince(since)) return true;
    for (const waitMs of OOM_EVENT_WAITS_MS) {
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      if (await this.oomEventSince(since)) return true;
    }
    return false;
  }

  private async oomEventSince(since: Date): Promise<boolean> {
    try {
      const events = await this.docker.getEvents({
        // The engine reads "seconds.nanoseconds"; the types say number, the API takes this string.
        since: engineTimestamp(since.getTime() - 1_000) as unknown as number,
        until: engineTimestamp(Date.now()) as unknown as number,
        filters: { container: [this.id], event: ["oom"] },
      });
      let text = "";
      for await (const chunk of events as unknown as AsyncIterable<Buffer>) text += chunk.toString();
      return text.split("\n").some((line) => line.includes('"oom"'));
    } catch (err) {
      throw toContainerError(this.docker, err, `read the events of container ${this.id}`);
    }
  }

  /** Resolves when the stream ends, handing demultiplexed output over as it arrives. */
  private pumpOutput(
    stream: Duplex,
    onOutput: (stream: OutputStream, chunk: Buffer) => void,
    backpressure: Backpressure | undefined,
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
      const fail = (err: unknown) => {
        stream.destroy();
        settle(err);
      };
      // Backpressure: while a backpressure promise is pending, the response is not read, so the
      // engine stops reading the command's pipe and the command blocks. Once the container is
      // being killed, output flows freely again (see releaseBackpressure()).
      let waiting = 0;
      const waitFor = (promise: Promise<void>) => {
        if (this.killed) return;
        if (waiting++ === 0) stream.pause();
        promise.then(
          () => {
            if (--waiting === 0 && !stream.destroyed) stream.resume();
          },
          fail,
        );
      };
      const demuxer = createOutputDemuxer((name, piece) => {
        onOutput(name, piece);
        const wait = backpressure?.();
        if (wait) waitFor(wait);
      });
      stream.on("data", (chunk: Buffer) => {
        // A throwing callback must not crash the process from inside a socket handler.
        try {
          demuxer.push(chunk);
        } catch (err) {
          fail(err);
        }
      });
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

  // An exec whose output the engine cannot write makes the engine's kill wait ~10 s and report
  // the wrong exit code; a dying command's last output is little, so it is read without pause.
  private releaseBackpressure(): void {
    for (const entry of this.inFlight) if (!entry.stream.destroyed) entry.stream.resume();
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

/** A time as the engine's event filters read it: whole seconds, a dot, nine digits of nanoseconds. */
function engineTimestamp(ms: number): string {
  return `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1_000_000).padStart(9, "0")}`;
}
