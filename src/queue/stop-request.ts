/**
 * Why a worker aborts an execution, carried as the AbortSignal's reason: a cancel ends the action
 * `stopped` with the cancel's reason; a shutdown leaves the action to the worker, which hands it
 * over (retried elsewhere, or failed saying the worker shut down).
 */
export type StopRequest = { kind: "cancel"; reason: string } | { kind: "shutdown" };

/** Thrown inside an execution once its signal has aborted, to unwind to its cleanup. */
export class ActionStopped extends Error {
  constructor(readonly request: StopRequest) {
    super(request.kind === "cancel" ? request.reason : "the worker shut down");
    this.name = "ActionStopped";
  }
}

/** The stop request behind an aborted signal (a plain abort counts as a shutdown). */
export function stopRequestOf(signal: AbortSignal): StopRequest {
  const reason: unknown = signal.reason;
  if (typeof reason === "object" && reason !== null && "kind" in reason) {
    const kind = (reason as { kind: unknown }).kind;
    if (kind === "cancel" || kind === "shutdown") return reason as StopRequest;
  }
  return { kind: "shutdown" };
}

export function throwIfStopped(signal: AbortSignal): void {
  if (signal.aborted) throw new ActionStopped(stopRequestOf(signal));
}
