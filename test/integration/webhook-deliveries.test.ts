import { randomUUID } from "node:crypto";
import pino from "pino";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startDeliveryProcessor, type DeliveryHandler, type DeliveryProcessor } from "../../src/ingress/delivery-processor.js";
import { claimDeliveries, recordDelivery, storeDeliveryRows } from "../../src/ingress/delivery-store.js";
import { createDeliveryWriter } from "../../src/ingress/delivery-writer.js";
import { deliveryRow } from "../../src/ingress/delivery-row.js";
import { webhookDeliveries } from "../../src/ingress/deliveries.sql.js";
import { inProcessWakeups } from "../../src/queue/wakeups.js";
import { createPostgresDatabase, type TestDatabase } from "../helpers/database.js";
import { waitFor } from "../helpers/wait-for.js";

const log = pino({ level: "silent" });
let database: TestDatabase;
const processors: DeliveryProcessor[] = [];

beforeAll(async () => {
  database = await createPostgresDatabase();
});
afterAll(async () => {
  await database.destroy();
});
afterEach(async () => {
  await Promise.all(processors.splice(0).map((p) => p.stop()));
  await database.db.delete(webhookDeliveries);
});

function comment(id = randomUUID()) {
  return { id, name: "issue_comment", payload: { action: "created", installation: { id: 7 }, comment: { body: "/automation run x" } } };
}

function start(
  handler: DeliveryHandler,
  options: { leaseMs?: number; maxAttempts?: number; concurrency?: number; batchSize?: number; ingress?: { lastBurstAt: number }; maxGiveWayMs?: number } = {},
) {
  const processor = startDeliveryProcessor({
    ...options,
    db: database.db,
    wakeups: inProcessWakeups(),
    workerId: `test-${randomUUID()}`,
    log,
    handlers: new Map([["issue_comment.created", handler]]),
    leaseMs: options.leaseMs ?? 30_000,
    pollMs: 50,
    maxAttempts: options.maxAttempts,
    maxBackoffMs: 10,
  });
  processors.push(processor);
  return processor;
}

async function row(id: string) {
  const [stored] = await database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, id));
  return stored;
}

describe("stored webhook deliveries", () => {
  it("stores a delivery posted many times at once exactly once", async () => {
    const delivery = comment();
    const stored = await Promise.all(Array.from({ length: 50 }, () => recordDelivery(database.db, delivery)));
    expect(stored.filter(Boolean)).toHaveLength(1);
    expect(await database.db.select().from(webhookDeliveries)).toHaveLength(1);
  });

  it("hands each delivery to its handler once, with the event's payload", async () => {
    const seen: string[] = [];
    start(async (delivery) => {
      seen.push(`${delivery.id}:${(JSON.parse(delivery.payload) as { comment: { body: string } }).comment.body}`);
    });
    const ids = Array.from({ length: 5 }, () => randomUUID());
    for (const id of ids) await recordDelivery(database.db, comment(id));
    await waitFor("all deliveries handled", async () => (await Promise.all(ids.map(row))).every((r) => r?.status === "done"));
    expect(seen.sort()).toEqual(ids.map((id) => `${id}:/automation run x`).sort());
  });

  it("retries a delivery whose handling failed until it succeeds, and keeps no error", async () => {
    let calls = 0;
    start(async () => {
      calls += 1;
      if (calls < 3) throw new Error("GitHub answered 502");
    });
    const delivery = comment();
    await recordDelivery(database.db, delivery);
    const handled = await waitFor("the delivery handled", async () => ((await row(delivery.id))?.status === "done" ? row(delivery.id) : false));
    expect(calls).toBe(3);
    expect(handled).toMatchObject({ attempts: 3, lastError: null });
  });

  it("gives up after the last attempt and keeps the reason on the delivery", async () => {
    start(async () => {
      throw new Error("GitHub answered 502");
    }, { maxAttempts: 2 });
    const delivery = comment();
    await recordDelivery(database.db, delivery);
    const failed = await waitFor("the delivery given up", async () => ((await row(delivery.id))?.status === "failed" ? row(delivery.id) : false));
    expect(failed).toMatchObject({ attempts: 2, lastError: "GitHub answered 502" });
  });

  it("takes over a delivery whose processor died while handling it, once its lease ends", async () => {
    const delivery = comment();
    await recordDelivery(database.db, delivery);
    // A processor claims it and dies before finishing.
    const lost = await claimDeliveries(database.db, "dead-worker", 200, 10);
    expect(lost.map((d) => d.id)).toEqual([delivery.id]);
    const seen: string[] = [];
    start(async (d) => {
      seen.push(d.id);
    });
    await waitFor("the delivery handled by the live processor", async () => (await row(delivery.id))?.status === "done");
    expect(seen).toEqual([delivery.id]);
    expect((await row(delivery.id))?.attempts).toBe(2);
  });

  it("marks deliveries of events without a handler as handled", async () => {
    start(async () => {});
    const id = randomUUID();
    await recordDelivery(database.db, { id, name: "issue_comment", payload: { action: "deleted", installation: { id: 7 } } });
    await waitFor("the delivery handled", async () => (await row(id))?.status === "done");
  });
});

describe("deliveries stored together", () => {
  const writer = () => createDeliveryWriter((rows) => storeDeliveryRows(database.db, rows));

  it("stores the same delivery arriving twice in one insert once: the first stored now, the second a redelivery", async () => {
    const delivery = comment();
    const other = comment();
    const w = writer();
    expect(await Promise.all([delivery, other, delivery].map((d) => w.record(deliveryRow(d))))).toEqual([true, true, false]);
    expect((await database.db.select().from(webhookDeliveries)).map((r) => r.id).sort()).toEqual([delivery.id, other.id].sort());
  });

  it("fails only the delivery the database refuses; the others that arrived with it are stored", async () => {
    const good = Array.from({ length: 4 }, () => comment());
    // PostgreSQL takes no NUL character in text.
    const refused = { ...comment(), payload: { action: "created\u0000", installation: { id: 7 } } };
    const w = writer();
    const outcomes = await Promise.allSettled([...good.slice(0, 2), refused, ...good.slice(2)].map((d) => w.record(deliveryRow(d))));
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled", "fulfilled"]);
    expect((await database.db.select().from(webhookDeliveries)).map((r) => r.id).sort()).toEqual(good.map((d) => d.id).sort());
  });

  it("keeps a payload GitHub may send that jsonb would refuse, as received", async () => {
    const delivery = comment();
    delivery.payload.comment.body = "a NUL \u0000 and a lone surrogate \ud800";
    expect(await recordDelivery(database.db, delivery)).toBe(true);
    expect(JSON.parse((await row(delivery.id))!.payload)).toEqual(delivery.payload);
  });
});

describe("the processor beside a busy endpoint", () => {
  it("claims nothing while the endpoint takes a burst, and handles the deliveries once it is over", async () => {
    // The endpoint keeps taking deliveries until the test says the burst is over; read as a
    // getter, so no timer of the test's has to keep up with the processor's.
    let burstEndedAt: number | null = null;
    const burst = {
      get lastBurstAt() {
        return burstEndedAt ?? performance.now();
      },
    };
    const seen: string[] = [];
    start(async (d) => {
      seen.push(d.id);
    }, { ingress: burst, maxGiveWayMs: 60_000 });
    const ids = Array.from({ length: 3 }, () => randomUUID());
    for (const id of ids) await recordDelivery(database.db, comment(id));
    await new Promise((r) => setTimeout(r, 300));
    burstEndedAt = performance.now();
    expect(seen).toEqual([]);
    expect((await Promise.all(ids.map(row))).map((r) => r?.attempts)).toEqual([0, 0, 0]);
    await waitFor("the deliveries handled after the burst", async () => (await Promise.all(ids.map(row))).every((r) => r?.status === "done"));
    expect(seen.sort()).toEqual([...ids].sort());
  });

  it("still handles deliveries while a burst lasts longer than it may give way", async () => {
    const endless = {
      get lastBurstAt() {
        return performance.now();
      },
    };
    start(async () => {}, { ingress: endless, maxGiveWayMs: 100 });
    const delivery = comment();
    await recordDelivery(database.db, delivery);
    await waitFor("the delivery handled", async () => (await row(delivery.id))?.status === "done");
  });

  it("gives back the deliveries it claimed but had not started when it stops", async () => {
    let release!: () => void;
    const blocked = new Promise<void>((r) => (release = r));
    const ids = Array.from({ length: 4 }, () => randomUUID());
    for (const id of ids) await recordDelivery(database.db, comment(id));
    const started: string[] = [];
    // One handler at a time, all four claimed at once.
    const processor = start(
      async (d) => {
        started.push(d.id);
        await blocked;
      },
      { concurrency: 1, batchSize: 10 },
    );
    await waitFor("the first delivery started", () => started.length === 1);
    const stopping = processor.stop();
    release();
    await stopping;
    const rows = await Promise.all(ids.map(row));
    expect(rows.filter((r) => r?.status === "done").map((r) => r?.id)).toEqual(started);
    // The others are due again at once, as if never claimed.
    expect(rows.filter((r) => r?.status === "pending")).toHaveLength(3);
    for (const r of rows.filter((r) => r?.status === "pending")) expect(r).toMatchObject({ claimedBy: null, leaseExpiresAt: null, attempts: 0 });
  });
});

describe("a delivery whose handling outlasts its lease", () => {
  it("is handled once, because its processor keeps the lease while it works", async () => {
    let calls = 0;
    const handler: DeliveryHandler = async () => {
      calls += 1;
      await new Promise((r) => setTimeout(r, 2500));
    };
    // Two processors with a lease far shorter than the handling. It is renewed every third of
    // itself, so a renewal may come two thirds of a second late on a busy machine and still hold.
    start(handler, { leaseMs: 1000 });
    start(handler, { leaseMs: 1000 });
    const delivery = comment();
    await recordDelivery(database.db, delivery);
    await waitFor("the delivery handled", async () => (await row(delivery.id))?.status === "done");
    expect(calls).toBe(1);
  });
});
