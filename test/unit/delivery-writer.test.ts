import { describe, expect, it } from "vitest";
import { createDeliveryWriter } from "../../src/ingress/delivery-writer.js";

const delivery = (id: string) => ({ id, name: "issue_comment", action: "created", json: '{"action":"created"}' });

describe("the endpoint's delivery writer", () => {
  it("counts a burst only when several deliveries wait to be stored at once", async () => {
    let commit!: () => void;
    const writer = createDeliveryWriter(
      (deliveries) => new Promise((resolve) => (commit = () => resolve(deliveries.map(() => true)))),
    );
    const first = writer.record(delivery("a"));
    await new Promise((r) => setImmediate(r));
    commit();
    await first;
    // One at a time, as GitHub sends at an ordinary pace: no burst.
    expect(writer.lastBurstAt).toBe(Number.NEGATIVE_INFINITY);

    const before = performance.now();
    const several = ["b", "c", "d", "e"].map((id) => writer.record(delivery(id)));
    expect(writer.lastBurstAt).toBeGreaterThanOrEqual(before);
    await new Promise((r) => setImmediate(r));
    commit();
    expect(await Promise.all(several)).toEqual([true, true, true, true]);
  });
});
