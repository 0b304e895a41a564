// The process launcher: a small Node process that starts commands for the app (./process-launcher.ts
// forks it). Forking from the app's large process copies its page tables on every command and
// blocks its event loop meanwhile; forking from this one is cheap and off the app's main thread.
// Plain JavaScript so it starts without a TypeScript loader.
//
// Request (over IPC, "advanced" serialization): { id, file, args, cwd?, env?, timeoutMs? }. `env`
// is the command's whole environment; without it the command gets this process's own minimal
// one. Past `timeoutMs` the command is killed with SIGKILL.
// Reply: { id, kind: "exited", code, signal, stdout: Buffer, stderr: Buffer, timedOut, stopped }
//     or { id, kind: "not-started", message } when the command could not be started at all.
// A request { kill: id } stops that command (a stop request of the app's), with what it started.
import { spawn } from "node:child_process";

// Commands running, by request id, to stop on request.
const running = new Map();
process.on("message", (message) => (message.kill !== undefined ? stop(message.kill) : launch(message)));
// Never outlive the app: its end closes the channel.
process.on("disconnect", () => process.exit(0));
// A Ctrl-C reaches the whole process group; the app decides when to stop, and may still be
// finishing commands it started through this process.
process.on("SIGINT", () => {});

function launch(request) {
  const { id, file, args, cwd, env, timeoutMs } = request;
  let replied = false;
  const reply = (result) => {
    if (replied) return;
    replied = true;
    // When the app is gone there is nobody to tell; "disconnect" ends this process.
    if (process.connected) process.send({ id, ...result }, () => {});
  };

  let child;
  try {
    // A process group of its own, so stopping it stops what it started too (git's transport
    // helpers), which would otherwise keep its output open after it was killed.
    child = spawn(file, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  } catch (error) {
    reply({ kind: "not-started", message: error instanceof Error ? error.message : String(error) });
    return;
  }
  const entry = { child, timedOut: false, stopped: false };
  running.set(id, entry);
  const timer =
    timeoutMs === undefined
      ? null
      : setTimeout(() => {
          entry.timedOut = true;
          killGroup(child);
        }, timeoutMs);
  const stdout = [];
  const stderr = [];
  child.stdout.on("data", (chunk) => stdout.push(chunk));
  child.stderr.on("data", (chunk) => stderr.push(chunk));
  const done = () => {
    if (timer) clearTimeout(timer);
    running.delete(id);
  };
  // A missing binary or working directory surfaces here, before "close".
  child.on("error", (error) => {
    done();
    reply({ kind: "not-started", message: error.message });
  });
  child.on("close", (code, signal) => {
    done();
    const { timedOut, stopped } = entry;
    reply({ kind: "exited", code, signal, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr), timedOut, stopped });
  });
}

function stop(id) {
  const entry = running.get(id);
  if (!entry) return;
  entry.stopped = true;
  killGroup(entry.child);
}

function killGroup(child) {
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    child.kill("SIGKILL");
  }
}
