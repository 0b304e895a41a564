import { randomUUID } from "node:crypto";
import nock from "nock";
import { eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import examples from "@octokit/webhooks-examples/api.github.com/index.json" with { type: "json" };
import { webhookDeliveries } from "../../src/ingress/deliveries.sql.js";
import { runs } from "../../src/runs/runs.sql.js";
import { post as postRaw, WEBHOOK_SECRET, type AppHarness } from "../helpers/app-harness.js";
import type { TestDatabase } from "../helpers/database.js";
import { startProxiedApp, type ProxiedApp } from "../helpers/proxied-app.js";
import { captureReplies, mockToken } from "../helpers/example-comment.js";
import { isolateGitHub } from "../helpers/github-api.js";
import type { TcpProxy } from "../helpers/tcp-proxy.js";
import { waitFor } from "../helpers/wait-for.js";
import { pullRequestCommentPayload, signature } from "../helpers/webhooks.js";

// What reaches the webhook endpoint that should not be trusted or cannot be stored: nothing is
// written for a forged delivery, a delivery that arrives while the database is down is answered
// 5xx (so GitHub shows it failed and it can be redelivered) and is handled once it is back, and
// malformed payloads never take the app down.

type Payload = Record<string, unknown>;

async function post(url: string, body: string, headers: Record<string, string>): Promise<number> {
  return (await postRaw(url, body, { "content-type": "application/json", ...headers })).status;
}

let proxiedApp: ProxiedApp;
let database: TestDatabase;
let proxy: TcpProxy;
let app: AppHarness;

beforeAll(async () => {
  // The app reaches the database through the proxy, which the tests cut to take the database away.
  proxiedApp = await startProxiedApp();
  ({ direct: database, proxy, app } = proxiedApp);
});
afterAll(() => proxiedApp.stop());
afterEach(() => {
  proxy.restore();
  nock.cleanAll();
  isolateGitHub();
});

const stored = () => database.db.select().from(webhookDeliveries);

describe("the webhook endpoint (PostgreSQL)", () => {
  it("writes nothing for unsigned or forged deliveries", async () => {
    const body = JSON.stringify(pullRequestCommentPayload("/automation run hello"));
    const endpoint = `${app.url}/api/github/webhooks`;
    const headers = { "x-github-event": "issue_comment", "x-github-delivery": randomUUID() };
    const answers = [
      await post(endpoint, body, headers),
      await post(endpoint, body, { ...headers, "x-hub-signature-256": signature("not-the-secret", body) }),
      await post(endpoint, body.replace("hello", "other"), { ...headers, "x-hub-signature-256": signature(WEBHOOK_SECRET, body) }),
    ];
    console.info(`forged or unsigned deliveries: ${answers.length}, rows written: ${(await stored()).length}`);
    for (const status of answers) expect(status).toBeGreaterThanOrEqual(400);
    expect(status5xx(answers)).toEqual([]);
    expect(await stored()).toEqual([]);
    expect(await database.db.select().from(runs)).toEqual([]);
  });

  it("stores a genuine delivery as it was signed while forged copies with its id arrive alongside", async () => {
    const genuine = JSON.stringify(pullRequestCommentPayload("Thanks, looks good."));
    const forged = genuine.replace("Thanks, looks good.", "/automation run hello");
    const endpoint = `${app.url}/api/github/webhooks`;
    const headers = { "x-github-event": "issue_comment", "x-github-delivery": randomUUID() };
    const answers = await Promise.all([
      ...Array.from({ length: 10 }, () => post(endpoint, forged, { ...headers, "x-hub-signature-256": signature("not-the-secret", forged) })),
      post(endpoint, genuine, { ...headers, "x-hub-signature-256": signature(WEBHOOK_SECRET, genuine) }),
      ...Array.from({ length: 10 }, () => post(endpoint, forged, { ...headers, "x-hub-signature-256": signature(WEBHOOK_SECRET, genuine) })),
    ]);
    expect(answers.filter((s) => s === 200)).toHaveLength(1);
    const rows = await database.db
      .select({ payload: sql<string>`${webhookDeliveries.payload}::text` })
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.id, headers["x-github-delivery"]));
    expect(rows).toEqual([{ payload: genuine }]);
    await waitFor("the delivery handled", async () => (await stored()).every((r) => r.status === "done"));
    await database.db.delete(webhookDeliveries);
  });

  it("answers 5xx while the database is down, and handles the redelivery once it is back", async () => {
    const deliveryId = randomUUID();
    // As a restart does: the server ends every session of the app's database, and takes no new
    // ones until it is back.
    await proxiedApp.goDown();
    const down = await app.deliver("issue_comment", pullRequestCommentPayload("/automation help"), deliveryId);
    expect(down.status).toBeGreaterThanOrEqual(500);

    proxy.restore();
    mockToken();
    const replies = captureReplies();
    // GitHub's redelivery carries the same delivery id.
    const back = await app.deliver("issue_comment", pullRequestCommentPayload("/automation help"), deliveryId);
    console.info(
      `database down: delivery answered ${down.status}; once back, its redelivery answered ${back.status} and was handled ${replies.length} time(s), ${(await stored()).length} row(s) stored`,
    );
    expect(back.status).toBe(200);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain("/automation run");
    expect(nock.pendingMocks()).toEqual([]);
    expect(await stored()).toMatchObject([{ id: deliveryId, status: "done" }]);
  });

  it("survives 500 fuzzed payloads of every event without a crash or a 5xx", async () => {
    // Each example payload, damaged in a repeatable way: fields removed, replaced by the wrong
    // type, or emptied, the installation too (the endpoint reads nothing of a payload but its
    // action, and its handling takes the installation only when well-formed); delivered under
    // its own event name.
    const all = (examples as Array<{ name: string; examples: Payload[] }>).flatMap((e) => e.examples.map((p) => ({ name: e.name, payload: p })));
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const statuses: number[] = [];
    for (let i = 0; i < 500; i++) {
      const { name, payload } = all[Math.floor(random() * all.length)]!;
      const damaged = damage(structuredClone(payload), random);
      const response = await app.deliver(name, damaged);
      statuses.push(response.status);
    }
    console.info(`fuzzed deliveries: ${statuses.length}, 5xx answers: ${status5xx(statuses).length}`);
    expect(status5xx(statuses)).toEqual([]);
    // The app still answers and handles a well-formed delivery afterwards.
    mockToken();
    const replies = captureReplies();
    expect((await app.deliver("issue_comment", pullRequestCommentPayload("/automation help"))).status).toBe(200);
    expect(replies).toHaveLength(1);
  });
});

function status5xx(statuses: number[]): number[] {
  return statuses.filter((s) => s >= 500);
}

function damage(value: Payload, random: () => number): Payload {
  const keys = Object.keys(value);
  if (random() < 0.05) return {};
  for (const key of keys) {
    const roll = random();
    const child = value[key];
    if (roll < 0.1) delete value[key];
    else if (roll < 0.2) value[key] = [null, 0, "", "/automation run x", [], true][Math.floor(random() * 6)];
    else if (child && typeof child === "object" && !Array.isArray(child)) damage(child as Payload, random);
  }
  return value;
}
