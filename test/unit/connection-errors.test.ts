import { describe, expect, it } from "vitest";
import { isConnectionError } from "../../src/db/connection-errors.js";

function withCode(message: string, code: string) {
  return Object.assign(new Error(message), { code });
}

describe("isConnectionError", () => {
  it.each([
    ["a session ended by a restart", withCode("terminating connection due to administrator command", "57P01")],
    ["a server still starting", withCode("the database system is starting up", "57P03")],
    ["a connection exception", withCode("connection failure", "08006")],
    ["a refused connection", withCode("connect ECONNREFUSED 127.0.0.1:5432", "ECONNREFUSED")],
    ["a dropped connection", new Error("Connection terminated unexpectedly")],
    ["a pool that could not connect in time", new Error("timeout exceeded when trying to connect")],
    ["the driver's error wrapped by the query builder", new Error("Failed query: insert …", { cause: new Error("Connection terminated unexpectedly") })],
  ])("holds for %s", (_what, error) => {
    expect(isConnectionError(error)).toBe(true);
  });

  it.each([
    ["a unique violation", withCode("duplicate key value violates unique constraint", "23505")],
    ["a syntax error", withCode('syntax error at or near "selec"', "42601")],
    ["a statement error wrapped by the query builder", new Error("Failed query: …", { cause: withCode("deadlock detected", "40P01") })],
    ["something that is not an error", "Connection terminated"],
    ["nothing", undefined],
  ])("does not hold for %s", (_what, error) => {
    expect(isConnectionError(error)).toBe(false);
  });
});
