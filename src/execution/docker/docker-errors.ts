import type Docker from "dockerode";
import { ContainerError } from "../container-runtime.js";

// Socket-level failures: the engine itself could not be talked to, as opposed to an answer from it.
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOENT",
  "EACCES",
  "EPERM",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
]);

interface EngineErrorFields {
  statusCode?: number;
  code?: string;
  json?: { message?: string } | null;
  message?: string;
}

function fieldsOf(err: unknown): EngineErrorFields {
  return typeof err === "object" && err !== null ? (err as EngineErrorFields) : { message: String(err) };
}

/** The HTTP status the engine answered with, if it answered at all. */
export function engineStatusCode(err: unknown): number | undefined {
  return fieldsOf(err).statusCode;
}

export function isEngineUnreachable(err: unknown): boolean {
  const { statusCode, code } = fieldsOf(err);
  return statusCode === undefined && code !== undefined && UNREACHABLE_CODES.has(code);
}

/** Where the client talks to, for messages: the address a person would check. */
export function describeEngine(docker: Docker): string {
  const modem = docker.modem as { host?: string; port?: string | number; protocol?: string; socketPath?: unknown };
  if (modem.host) return `${modem.protocol ?? "http"}://${modem.host}${modem.port ? `:${modem.port}` : ""}`;
  if (typeof modem.socketPath === "string") return `unix://${modem.socketPath}`;
  // dockerode resolves the default socket lazily (~/.docker/run/docker.sock or /var/run/docker.sock).
  return "unix:///var/run/docker.sock (default)";
}

export function engineUnavailable(docker: Docker, err: unknown): ContainerError {
  const { code, message } = fieldsOf(err);
  return new ContainerError(
    `The Docker engine at ${describeEngine(docker)} could not be reached (${code ?? message}). ` +
      "Check that DOCKER_HOST points at it and that dockerd is running and its socket is accessible.",
    "engine_unavailable",
  );
}

/** Wraps any engine failure as a ContainerError saying what was being done. */
export function toContainerError(docker: Docker, err: unknown, doing: string): ContainerError {
  if (err instanceof ContainerError) return err;
  if (isEngineUnreachable(err)) return engineUnavailable(docker, err);
  const { statusCode, json, message } = fieldsOf(err);
  const detail = json?.message ?? message ?? "unknown error";
  const status = statusCode === undefined ? "" : ` (HTTP ${statusCode})`;
  return new ContainerError(`Docker engine failed to ${doing}${status}: ${detail}${hintFor(docker, detail)}`, "engine_error");
}

/**
 * What to do about an engine that cannot see the workspace it is asked to mount: the engine reads
 * a bind mount's path on its own machine, so it must share the app's disk at the same path.
 */
function hintFor(docker: Docker, detail: string): string {
  if (!/bind source path does not exist/i.test(detail)) return "";
  return (
    `. The engine at ${describeEngine(docker)} mounts each action's workspace by its path on the engine's own machine: ` +
    "run it on the app's machine (not a remote DOCKER_HOST), and when the app itself runs in a container, mount its DATA_DIR at the same path inside as on the host"
  );
}
