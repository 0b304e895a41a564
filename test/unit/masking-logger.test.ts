import { Writable } from "node:stream";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { createMasker } from "../../src/security/mask-secrets.js";
import { maskingLogger } from "../../src/security/masking-logger.js";

const SECRET = "app-log-secret-9f8e7d";

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString());
      callback();
    },
  });
  return { log: pino({ level: "debug" }, stream), text: () => lines.join("") };
}

describe("maskingLogger", () => {
  it("masks secrets in logged errors, their stacks and causes, and in reasons", () => {
    const { log, text } = capture();
    const masked = maskingLogger(log, createMasker([SECRET]));
    masked.warn({ err: new Error(`git failed: remote said ${SECRET}`) }, "action failed before its steps could finish");
    masked.info({ status: "failed", reason: `step printed ${SECRET}` }, "action finished");
    masked.child({ actionId: "a1" }).error({ err: new Error(`nested ${Buffer.from(SECRET).toString("base64")}`) }, "x");

    expect(text()).not.toContain(SECRET);
    expect(text()).not.toContain(Buffer.from(SECRET).toString("base64"));
    expect(text()).toContain("git failed: remote said ***");
    expect(text()).toContain("step printed ***");
    expect(text()).toContain('"actionId":"a1"');
  });

  it("is the logger itself when there is nothing to mask", () => {
    const { log } = capture();
    expect(maskingLogger(log, createMasker([]))).toBe(log);
  });
});
