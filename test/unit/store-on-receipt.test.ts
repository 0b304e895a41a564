import { Webhooks } from "@octokit/webhooks";
import { describe, expect, it } from "vitest";
import type { DeliveryRow } from "../../src/ingress/delivery-row.js";
import { createDeliveryWriter } from "../../src/ingress/delivery-writer.js";
import { storeOnReceipt } from "../../src/ingress/store-on-receipt.js";
import { inProcessWakeups } from "../../src/queue/wakeups.js";
import { examplePayload, signature } from "../helpers/webhooks.js";

const SECRET = "the-webhook-secret";

/** Probot's own webhooks (@octokit/webhooks), with the endpoint's storing in front, over a store kept in memory. */
function endpoint(options: { refuse?: Error; hang?: boolean } = {}) {
  const webhooks = new Webhooks({ secret: SECRET });
  const stored: DeliveryRow[] = [];
  const writer = createDeliveryWriter(async (rows) => {
    if (options.refuse) throw options.refuse;
    if (options.hang) return new Promise<boolean[]>(() => {});
    const before = new Set(stored.map((r) => r.id));
    stored.push(...rows.filter((r) => !before.has(r.id)));
    return rows.map((r) => !before.has(r.id));
  });
  const wakeups = inProcessWakeups();
  let woken = 0;
  wakeups.subscribe("deliveries", () => (woken += 1));
  const logged: string[] = [];
  const log = { info: (_: object, msg: string) => logged.push(msg), error: (_: object, msg: string) => logged.push(msg) };
  storeOnReceipt(webhooks, { events: new Set(["issue_comment.created", "check_run.rerequested"]), writer, wakeups, log, answerWithinMs: 200 });
  const deliver = (id: string, name: string, body: string, secret = SECRET) =>
    webhooks.verifyAndReceive({ id, name, payload: body, signature: signature(secret, body) } as Parameters<Webhooks["verifyAndReceive"]>[0]);
  return { webhooks, stored, deliver, logged, woken: () => woken };
}

const comment = () => JSON.stringify(examplePayload("issue_comment", (p) => p.action === "created"));

describe("the webhook endpoint's storing", () => {
  it("stores a signed delivery of an event the app acts on with its body as signed, once, and wakes the processor", async () => {
    const e = endpoint();
    const body = comment();
    await e.deliver("d1", "issue_comment", body);
    await e.deliver("d1", "issue_comment", body);
    expect(e.stored).toEqual([{ id: "d1", name: "issue_comment", action: "created", json: body }]);
    expect(e.woken()).toBe(1);
    expect(e.logged).toEqual(["webhook delivered again; already stored"]);
  });

  it("answers without storing the other actions of an event the app subscribes to", async () => {
    const e = endpoint();
    await e.deliver("d2", "issue_comment", JSON.stringify(examplePayload("issue_comment", (p) => p.action === "deleted")));
    await e.deliver("d3", "check_run", JSON.stringify(examplePayload("check_run", (p) => p.action === "completed")));
    expect(e.stored).toEqual([]);
  });

  it("refuses a forged delivery as Probot does, storing nothing", async () => {
    const e = endpoint();
    const error = await e.deliver("d4", "issue_comment", comment(), "not-the-secret").catch((err: unknown) => err);
    expect(error).toBeInstanceOf(AggregateError);
    expect((error as AggregateError).errors[0]).toMatchObject({ status: 400, message: expect.stringContaining("signature does not match") });
    expect(e.stored).toEqual([]);
  });

  it("refuses a signed body that is not JSON as Probot does, storing nothing", async () => {
    const e = endpoint();
    const error = await e.deliver("d5", "issue_comment", "created, not JSON").catch((err: unknown) => err);
    expect((error as AggregateError).errors[0]).toMatchObject({ status: 400, message: "Invalid JSON" });
    expect(e.stored).toEqual([]);
  });

  it("leaves the events the app does not act on to Probot's handlers", async () => {
    const e = endpoint();
    const seen: string[] = [];
    e.webhooks.on("push", async (event) => void seen.push(event.id));
    await e.deliver("d6", "push", JSON.stringify(examplePayload("push")));
    expect(seen).toEqual(["d6"]);
    expect(e.stored).toEqual([]);
  });

  it("fails the request with the database's error when the delivery cannot be stored, so the endpoint answers 500", async () => {
    const e = endpoint({ refuse: new Error("connect ECONNREFUSED 127.0.0.1:5432") });
    const error = await e.deliver("d7", "issue_comment", comment()).catch((err: unknown) => err);
    // Probot's endpoint answers with the first error's status (none: 500) and message.
    expect(error).toBeInstanceOf(AggregateError);
    expect((error as AggregateError).errors[0]).toMatchObject({ message: "connect ECONNREFUSED 127.0.0.1:5432" });
    expect((error as AggregateError).errors[0].status).toBeUndefined();
    expect(e.logged).toEqual(["could not store the webhook; answering 500 so GitHub shows it failed and it can be redelivered"]);
    expect(e.woken()).toBe(0);
  });

  it("fails the request when the database has not stored the delivery in time, before Probot would answer 202", async () => {
    const e = endpoint({ hang: true });
    const error = await e.deliver("d8", "issue_comment", comment()).catch((err: unknown) => err);
    expect((error as AggregateError).errors[0]).toMatchObject({ message: "the database did not store the delivery within 0.2 s; is it reachable?" });
    expect((error as AggregateError).errors[0].status).toBeUndefined();
  });
});
