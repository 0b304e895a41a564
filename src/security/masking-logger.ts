import pino, { type Logger } from "pino";
import type { Masker } from "./mask-secrets.js";

/**
 * A child logger for an action's work whose errors and reasons are masked: an engine or git
 * error can quote the command output it failed on. Messages themselves are fixed strings.
 */
export function maskingLogger(log: Logger, masker: Masker): Logger {
  if (masker.patterns.length === 0) return log;
  return log.child(
    {},
    {
      serializers: {
        err: (err: unknown) => maskDeep(err instanceof Error ? pino.stdSerializers.err(err) : err, masker),
        reason: (reason: unknown) => maskDeep(reason, masker),
        line: (line: unknown) => maskDeep(line, masker),
      },
    },
  );
}

function maskDeep(value: unknown, masker: Masker): unknown {
  if (typeof value === "string") return masker.mask(value);
  if (Array.isArray(value)) return value.map((item) => maskDeep(item, masker));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, maskDeep(item, masker)]));
  }
  return value;
}
