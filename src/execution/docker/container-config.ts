import type Docker from "dockerode";
import type { ContainerSpec, FinalCommand } from "../container-runtime.js";
import {
  DEFAULT_CPUS,
  DEFAULT_MEMORY_BYTES,
  DEFAULT_PIDS_LIMIT,
  DROPPED_CAPABILITIES,
  FALLBACK_USER,
  SECURITY_OPTIONS,
} from "../../security/container-hardening.js";

/** On every container the app creates, beside the action's own labels. */
export const MANAGED_LABEL = "automations.managed";

// PID 1 ignores signals it has no handler for, so the trap is what makes `docker stop` prompt;
// sleeping in the background and `wait`ing lets the trap run without waiting out the sleep.
export const KEEP_ALIVE_COMMAND = [
  "/bin/sh",
  "-c",
  "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done",
];

// With a final command: wait for "run" on stdin (nothing else can write there), then become the
// command: its working directory, its variables (counted, then NAME=value each) and its argv
// follow as arguments. 126 is what the engine answers an exec whose working directory is missing.
const FINAL_COMMAND_WAIT = [
  "trap 'exit 0' TERM INT",
  "IFS= read -r go || exit 0",
  '[ "$go" = run ] || exit 0',
  "dir=$1 n=$2",
  "shift 2",
  'while [ "$n" -gt 0 ]; do export "$1"; shift; n=$((n - 1)); done',
  'cd "$dir" || exit 126',
  'exec "$@"',
].join("\n");

/** What the container's main process is: the keep-alive, or the wait for its final command. */
export function mainCommand(finalCommand: FinalCommand | undefined): string[] {
  if (!finalCommand) return KEEP_ALIVE_COMMAND;
  const env = toEnvList(finalCommand.env);
  return ["/bin/sh", "-c", FINAL_COMMAND_WAIT, "automations-final", finalCommand.workingDir, String(env.length), ...env, ...finalCommand.command];
}

/** The line on stdin that starts the final command. */
export const RUN_FINAL_COMMAND = "run\n";

export function toEnvList(env: Record<string, string> | undefined): string[] {
  return Object.entries(env ?? {}).map(([key, value]) => `${key}=${value}`);
}

/** The engine's create options for a spec: the workspace, the limits and the hardening. */
export function containerCreateOptions(spec: ContainerSpec): Docker.ContainerCreateOptions {
  const memory = spec.resources.memoryBytes ?? DEFAULT_MEMORY_BYTES;
  return {
    Image: spec.image,
    Cmd: mainCommand(spec.finalCommand),
    // [""] resets the image's entrypoint, which could otherwise swallow the keep-alive command.
    Entrypoint: [""],
    WorkingDir: spec.workspaceMount,
    Env: toEnvList(spec.env),
    Labels: { [MANAGED_LABEL]: "true", ...spec.labels },
    // The runtime resolves the user before this; the fallback keeps a spec without one off root.
    User: spec.user ?? FALLBACK_USER,
    Tty: false,
    // Stdin only carries the final command's start; closed after it, as the command's own stdin.
    OpenStdin: spec.finalCommand !== undefined,
    StdinOnce: spec.finalCommand !== undefined,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    HostConfig: {
      // Output is read from the attached stream; a log file kept by the engine would be a second
      // copy of everything a final command prints.
      LogConfig: { Type: "none", Config: {} },
      // A Mount rather than a "src:dst" Bind string, so paths with ':' survive.
      Mounts: [
        { Type: "bind", Source: spec.workspaceDir, Target: spec.workspaceMount, ReadOnly: false },
        ...(spec.extraMounts ?? []).map((mount) => ({
          Type: "bind" as const,
          Source: mount.source,
          Target: mount.target,
          ReadOnly: false,
        })),
      ],
      NetworkMode: spec.network,
      CapDrop: [...DROPPED_CAPABILITIES],
      SecurityOpt: [...SECURITY_OPTIONS],
      Privileged: false,
      PidsLimit: spec.resources.pids ?? DEFAULT_PIDS_LIMIT,
      Memory: memory,
      // Equal to Memory: no swap on top, so the memory limit is the real limit.
      MemorySwap: memory,
      NanoCpus: spec.resources.nanoCpus ?? DEFAULT_CPUS * 1e9,
    },
  };
}
