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

/** The error an execution unwinds with once `signal` has aborted. */
export function stoppedBy(signal: AbortSignal): ActionStopped {
  return new ActionStopped(stopRequestOf(signal));
}

export function throwIfStopped(signal: AbortSignal): void {
  if (signal.aborted) throw stoppedBy(signal);
}

/** `work`, or `ActionStopped` as soon as `signal` aborts, whichever comes first; `work` itself goes on. */
export function untilStopped<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(stoppedBy(signal));
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(stoppedBy(signal));
    signal.addEventListener("abort", stop, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", stop));
  });
}
