import type { Wakeups } from "../queue/wakeups.js";
import type { IncomingDelivery } from "./delivery-row.js";
import type { DeliveryWriter } from "./delivery-writer.js";
import type { ReceivedBodies } from "./received-bodies.js";

/**
 * The webhook endpoint's whole job: store the verified delivery and answer; its handler judges it
 * later. The answer waits for the commit of the insert that holds the delivery (shared with the
 * deliveries that arrived with it), so a crash after the answer loses nothing. When the database
 * cannot take it, the error makes the endpoint answer 500, so the delivery shows as failed on
 * GitHub and can be redelivered.
 */
export function recordWebhook(deps: {
  writer: DeliveryWriter;
  wakeups: Wakeups;
  log: { info(obj: object, msg: string): void };
  /** The signed request bodies, stored as they came; absent: each payload is serialized again. */
  bodies?: ReceivedBodies;
}) {
  const { writer, bodies } = deps;
  // Not async, and nothing after the insert refers to the event: the event (Probot's context,
  // with its GitHub client and logger) is not held while the delivery waits for its commit.
  return (event: { id: string; name: string; payload: unknown }): Promise<void> => {
    const id = event.id;
    const payload = event.payload as IncomingDelivery["payload"];
    return writer.record({ id, name: event.name, payload, body: bodies?.bodyOf(id) }).then((stored) => {
      if (stored) deps.wakeups.notify("deliveries");
      else deps.log.info({ deliveryId: id }, "webhook delivered again; already stored");
    });
  };
}
