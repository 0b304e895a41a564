import type { Wakeups } from "../queue/wakeups.js";
import type { IncomingDelivery } from "./delivery-store.js";
import type { DeliveryWriter } from "./delivery-writer.js";

/**
 * The webhook endpoint's whole job: store the verified delivery and answer; its handler judges it
 * later. The answer waits for the commit of the insert that holds the delivery (shared with the
 * deliveries that arrived with it), so a crash after the answer loses nothing. When the database
 * cannot take it, the error makes the endpoint answer 500, so the delivery shows as failed on
 * GitHub and can be redelivered.
 */
export function recordWebhook(deps: { writer: DeliveryWriter; wakeups: Wakeups; log: { info(obj: object, msg: string): void } }) {
  const { writer } = deps;
  return async (event: { id: string; name: string; payload: unknown }): Promise<void> => {
    const stored = await writer.record({ id: event.id, name: event.name, payload: event.payload as IncomingDelivery["payload"] });
    if (stored) deps.wakeups.notify("deliveries");
    else deps.log.info({ deliveryId: event.id }, "webhook delivered again; already stored");
  };
}
