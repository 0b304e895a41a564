import { describe, expect, it } from "vitest";
import { captureReceivedBodies, type VerifyingReceiver } from "../../src/ingress/received-bodies.js";

type Event = Parameters<VerifyingReceiver["verifyAndReceive"]>[0];

/**
 * A receiver that runs `handle` for each event whose signature is "good", as Probot's does once it
 * matched, and refuses the others once `checked` resolves (a slow signature check).
 */
function receiver(handle: (event: Event) => Promise<void>, checked: Promise<void> = Promise.resolve()): VerifyingReceiver {
  return {
    async receive(event) {
      await handle({ ...event, name: "issue_comment", payload: "", signature: "" });
    },
    async verifyAndReceive(event) {
      if (event.signature !== "good") {
        await checked;
        throw new Error("signature does not match event payload and secret");
      }
      await handle(event);
    },
  };
}

const event = (id: string, payload: string, signature = "good"): Event => ({ id, name: "issue_comment", payload, signature });

describe("the bodies of the webhook requests being received", () => {
  it("gives a handler the body of the request it runs for, and forgets it once the request is answered", async () => {
    const seen: Array<string | undefined> = [];
    const r = receiver(async (e) => {
      seen.push(bodies.bodyOf(e.id));
    });
    const bodies = captureReceivedBodies(r);
    await r.verifyAndReceive(event("a", '{"action":"created"}'));
    expect(seen).toEqual(['{"action":"created"}']);
    expect(bodies.bodyOf("a")).toBeUndefined();
  });

  it("gives no body while a second request with the same delivery id is in flight, forged or not", async () => {
    let handleGenuine!: () => void;
    const genuineHeld = new Promise<void>((resolve) => (handleGenuine = resolve));
    let refuseForged!: () => void;
    const forgedHeld = new Promise<void>((resolve) => (refuseForged = resolve));
    const seen: Array<string | undefined> = [];
    const r = receiver(async (e) => {
      await genuineHeld;
      seen.push(bodies.bodyOf(e.id));
    }, forgedHeld);
    const bodies = captureReceivedBodies(r);
    const genuine = r.verifyAndReceive(event("a", '{"comment":"genuine"}'));
    // A forged copy arrives while the genuine one is being handled; its signature is refused later.
    const forged = r.verifyAndReceive(event("a", '{"comment":"forged"}', "bad"));
    handleGenuine();
    await genuine;
    refuseForged();
    await expect(forged).rejects.toThrow(/signature does not match/);
    expect(seen).toEqual([undefined]);
    expect(bodies.bodyOf("a")).toBeUndefined();
  });

  it("forgets the body of a request whose signature did not match", async () => {
    const r = receiver(async () => {});
    const bodies = captureReceivedBodies(r);
    await expect(r.verifyAndReceive(event("a", "{}", "bad"))).rejects.toThrow();
    expect(bodies.bodyOf("a")).toBeUndefined();
  });

  it("gives no body for an event handed over as it is while a request with its id is in flight", async () => {
    let handleRequest!: () => void;
    const requestHeld = new Promise<void>((resolve) => (handleRequest = resolve));
    const seen: Array<string | undefined> = [];
    const r = receiver(async (e) => {
      if (e.signature === "") seen.push(bodies.bodyOf(e.id));
      else await requestHeld;
    });
    const bodies = captureReceivedBodies(r);
    const request = r.verifyAndReceive(event("a", '{"comment":"over HTTP"}'));
    await r.receive({ id: "a" });
    handleRequest();
    await request;
    expect(seen).toEqual([undefined]);
  });
});
