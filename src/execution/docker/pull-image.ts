import type { Readable } from "node:stream";
import { ActionStopped, stoppedBy } from "../../queue/stop-request.js";

// Pulling a missing image, with its progress as lines for the action's log. The engine answers
// a pull with JSON lines ({"status","id","progress"}); a failure comes either as an error
// response to the request (unknown registry, no network) or as an {"error"} line mid-stream
// (not found, denied, disk full).

/** Starts a pull and hands over the engine's progress stream: `docker.pull` in dockerode's shape. */
export type StartPull = (image: string) => Promise<NodeJS.ReadableStream>;

export class PullError extends Error {
  override readonly name = "PullError";
}

interface ProgressEvent {
  status?: string;
  id?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/**
 * Pulls `image`; progress lines go to `onLine`, one per layer state change rather than per byte.
 * A stop request (`signal`) ends the pull at once: its request is closed, which the engine takes
 * as the pull cancelled, and `ActionStopped` is thrown.
 */
export async function pullImage(startPull: StartPull, image: string, onLine: (line: string) => void, signal?: AbortSignal): Promise<void> {
  let stream: NodeJS.ReadableStream;
  try {
    stream = await startPull(image);
  } catch (err) {
    throw new PullError(engineMessage(err));
  }
  const stop = () => (stream as Readable).destroy(stoppedBy(signal!));
  if (signal?.aborted) stop();
  signal?.addEventListener("abort", stop, { once: true });
  const lastStatus = new Map<string, string>();
  let buffer = "";
  const handle = (line: string) => {
    if (line.trim() === "") return;
    let event: ProgressEvent;
    try {
      event = JSON.parse(line) as ProgressEvent;
    } catch {
      onLine(line);
      return;
    }
    if (event.error !== undefined || event.errorDetail?.message !== undefined) {
      throw new PullError(event.errorDetail?.message ?? event.error ?? "unknown error");
    }
    if (event.status === undefined) return;
    if (event.id === undefined) {
      onLine(event.status);
      return;
    }
    // "Downloading" and "Extracting" repeat for every few kilobytes; their first mention is enough.
    if (lastStatus.get(event.id) === event.status) return;
    lastStatus.set(event.id, event.status);
    onLine(`${event.id}: ${event.status}`);
  };
  try {
    for await (const chunk of stream as Readable) {
      buffer += chunk.toString();
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      lines.forEach(handle);
    }
    handle(buffer);
  } catch (err) {
    if (err instanceof PullError || err instanceof ActionStopped) throw err;
    throw new PullError(engineMessage(err));
  } finally {
    signal?.removeEventListener("abort", stop);
  }
}

function engineMessage(err: unknown): string {
  if (typeof err !== "object" || err === null) return String(err);
  const { json, message, statusCode } = err as { json?: { message?: string } | null; message?: string; statusCode?: number };
  const detail = json?.message ?? message ?? "unknown error";
  return statusCode === undefined ? detail : `${detail} (HTTP ${statusCode})`;
}
