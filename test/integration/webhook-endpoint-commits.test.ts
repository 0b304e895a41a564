import { randomUUID } from "node:crypto";
import { eq, inArray, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { webhookDeliveries } from "../../src/ingress/deliveries.sql.js";
import { post as postRaw, WEBHOOK_SECRET, type AppHarness } from "../helpers/app-harness.js";
import type { TestDatabase } from "../helpers/database.js";
import { startProxiedApp, type ProxiedApp } from "../helpers/proxied-app.js";
import type { TcpProxy } from "../helpers/tcp-proxy.js";
import { waitFor } from "../helpers/wait-for.js";
import { pullRequestCommentPayload, signature } from "../helpers/webhooks.js";

// Deliveries that reach the endpoint together share one insert and one commit. Each is still
// answered only once its own row is committed, a redelivery makes no second row, and when the
// database is down every delivery of the burst is answered 5xx so GitHub shows it failed.

// A comment with no command: handling it sends nothing to GitHub.
const body = JSON.stringify(pullRequestCommentPayload("Thanks, looks good."));

async function post(url: string, deliveryId: string): Promise<number> {
  const headers = {
    "content-type": "application/json",
    "x-github-event": "issue_comment",
    "x-github-delivery": deliveryId,
    "x-hub-signature-256": signature(WEBHOOK_SECRET, body),
  };
  return (await postRaw(url, body, headers)).status;
}

let proxiedApp: ProxiedApp;
let database: TestDatabase;
let proxy: TcpProxy;
let app: AppHarness;
let endpoint: string;

beforeAll(async () => {
  // The app reaches the database through the proxy; the test reads it directly.
  proxiedApp = await startProxiedApp();
  ({ direct: database, proxy, app } = proxiedApp);
  endpoint = `${app.url}/api/github/webhooks`;
});
afterAll(() => proxiedApp.stop());
afterEach(() => {
  proxy.restore();
});

const rowsFor = (ids: string[]) => database.db.select().from(webhookDeliveries).where(inArray(webhookDeliveries.id, ids));

describe("a burst of deliveries at the webhook endpoint", () => {
  it("answers each delivery only once its row is committed", async () => {
    const ids = Array.from({ length: 60 }, () => randomUUID());
    const missingWhenAnswered: string[] = [];
    const statuses = await Promise.all(
      ids.map(async (id) => {
        const status = await post(endpoint, id);
        // Read on a connection of the test's own: only a committed row is visible there.
        const [row] = await database.db.select({ id: webhookDeliveries.id }).from(webhookDeliveries).where(eq(webhookDeliveries.id, id));
        if (!row) missingWhenAnswered.push(id);
        return status;
      }),
    );
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(missingWhenAnswered).toEqual([]);
    await waitFor("the burst handled", async () => (await rowsFor(ids)).every((r) => r.status === "done"));
  });

  it("stores a delivery that arrives many times at once in one row, answering every copy 200", async () => {
    const id = randomUUID();
    const statuses = await Promise.all(Array.from({ length: 30 }, () => post(endpoint, id)));
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    await waitFor("the delivery handled", async () => (await rowsFor([id]))[0]?.status === "done");
    expect(await rowsFor([id])).toMatchObject([{ id, attempts: 1, status: "done" }]);
  });

  it("answers 5xx to every delivery of a burst while the database is down, and stores each once redelivered", async () => {
    const ids = Array.from({ length: 20 }, () => randomUUID());
    // As a restart does: the server ends the app's sessions and takes no new ones until it is back.
    await proxiedApp.goDown();
    const down = await Promise.all(ids.map((id) => post(endpoint, id)));
    expect(down.filter((s) => s < 500)).toEqual([]);
    expect(await rowsFor(ids)).toEqual([]);

    proxy.restore();
    const back = await Promise.all(ids.map((id) => post(endpoint, id)));
    expect(back.filter((s) => s !== 200)).toEqual([]);
    expect((await rowsFor(ids)).map((r) => r.id).sort()).toEqual([...ids].sort());
  });
});

describe("what the webhook endpoint stores", () => {
  it("keeps each delivery's payload exactly as GitHub sent and signed it", async () => {
    // Formatted as no serializer of the parsed payload would write it.
    const sent = JSON.stringify(pullRequestCommentPayload("Thanks, looks good."), null, 3).replace('"action"', '"action" ');
    const id = randomUUID();
    const answer = await postRaw(endpoint, sent, {
      "content-type": "application/json",
      "x-github-event": "issue_comment",
      "x-github-delivery": id,
      "x-hub-signature-256": signature(WEBHOOK_SECRET, sent),
    });
    expect(answer.status).toBe(200);
    const rows = await database.db
      .select({ payload: sql<string>`${webhookDeliveries.payload}::text` })
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.id, id));
    expect(rows).toEqual([{ payload: sent }]);
  });

  it("takes deliveries at the root of the app's address too, where Probot's setup registers the webhook URL", async () => {
    const id = randomUUID();
    expect(await post(`${app.url}/`, id)).toBe(200);
    expect((await rowsFor([id])).map((r) => r.payload)).toEqual([body]);
    // Signed by someone else: refused there as at the usual path, and nothing stored.
    const forged = await postRaw(`${app.url}/`, body, {
      "content-type": "application/json",
      "x-github-event": "issue_comment",
      "x-github-delivery": randomUUID(),
      "x-hub-signature-256": signature("not-the-secret", body),
    });
    expect(forged.status).toBe(400);
    // Anything but a delivery there is not the endpoint's.
    expect((await fetch(`${app.url}/`)).status).toBe(404);
  });
});
