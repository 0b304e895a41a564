import { describe, expect, it } from "vitest";
import { RequestError } from "@octokit/request-error";
import { classifySendError } from "../../src/reporting/github-errors.js";

const now = Date.parse("2026-03-01T10:00:00Z");
const options = { baseMs: 1_000, maxBackoffMs: 15 * 60_000, now };

function githubError(status: number, message: string, headers: Record<string, string> = {}) {
  return new RequestError(message, status, {
    request: { method: "POST", url: "https://api.github.com/repos/acme/app/check-runs", headers: {} },
    response: { status, url: "https://api.github.com/repos/acme/app/check-runs", headers, data: { message } },
  });
}

describe("classifySendError", () => {
  it("retries server errors with a backoff that doubles with each attempt", () => {
    expect(classifySendError(githubError(502, "Bad Gateway"), 1, options)).toMatchObject({ kind: "retry", waitMs: 1_000, rateLimited: false });
    expect(classifySendError(githubError(500, "Server Error"), 4, options)).toMatchObject({ kind: "retry", waitMs: 8_000 });
    expect(classifySendError(githubError(503, "Unavailable"), 30, options)).toMatchObject({ kind: "retry", waitMs: 5 * 60_000 });
  });

  it("waits as long as retry-after says on a 429, and pauses as for a rate limit", () => {
    expect(classifySendError(githubError(429, "Too Many Requests", { "retry-after": "42" }), 1, options)).toMatchObject({
      kind: "retry",
      waitMs: 42_000,
      rateLimited: true,
    });
  });

  it("recognises a secondary rate limit in a 403, waiting a minute when GitHub gives no retry-after", () => {
    const message = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.";
    expect(classifySendError(githubError(403, message, { "retry-after": "5" }), 1, options)).toMatchObject({ kind: "retry", waitMs: 5_000, rateLimited: true });
    expect(classifySendError(githubError(403, message), 1, options)).toMatchObject({ kind: "retry", waitMs: 60_000, rateLimited: true });
  });

  it("waits for x-ratelimit-reset when the primary rate limit is used up", () => {
    const reset = String(Math.floor(now / 1000) + 120);
    const failure = classifySendError(githubError(403, "API rate limit exceeded", { "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset }), 1, options);
    expect(failure).toMatchObject({ kind: "retry", waitMs: 121_000, rateLimited: true });
  });

  it("never waits longer than the configured maximum", () => {
    expect(classifySendError(githubError(429, "Too Many Requests", { "retry-after": "3600" }), 1, { ...options, maxBackoffMs: 50 })).toMatchObject({ waitMs: 50 });
  });

  it("retries a request GitHub did not answer in time, and network failures", () => {
    const timeout = Object.assign(new Error("GitHub did not answer within 30000 ms"), { name: "TimeoutError" });
    expect(classifySendError(timeout, 1, options)).toMatchObject({ kind: "retry", reason: "GitHub did not answer in time" });
    expect(classifySendError(new TypeError("fetch failed"), 2, options)).toMatchObject({ kind: "retry", waitMs: 2_000 });
  });

  it("calls a validation error or a missing repository a refusal, with GitHub's message", () => {
    expect(classifySendError(githubError(422, "Validation Failed: head_sha is not a commit"), 1, options)).toEqual({
      kind: "refused",
      reason: "GitHub answered 422: Validation Failed: head_sha is not a commit",
    });
    expect(classifySendError(githubError(404, "Not Found"), 1, options)).toMatchObject({ kind: "refused" });
    expect(classifySendError(githubError(403, "Resource not accessible by integration"), 1, options)).toMatchObject({ kind: "refused" });
  });
});
