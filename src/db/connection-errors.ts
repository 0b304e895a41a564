// SQLSTATE codes that mean the server or the session went away, not that the statement was wrong:
// admin_shutdown (a restart or pg_terminate_backend), crash_shutdown, cannot_connect_now
// (starting up), too_many_connections; and class 08, connection exceptions.
const sessionLost = new Set(["57P01", "57P02", "57P03", "53300"]);
const socketFailures = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);
// node-postgres reports a dropped or refused connection with these messages and no code.
const driverMessages = /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect/i;

/**
 * Whether `error` (or an error it wraps, as drizzle-orm wraps the driver's) says the database could
 * not be reached or dropped the session: worth waiting for, unlike an error in the statement.
 */
export function isConnectionError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === "string" && (code.startsWith("08") || sessionLost.has(code) || socketFailures.has(code))) return true;
    if (typeof message === "string" && driverMessages.test(message)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
