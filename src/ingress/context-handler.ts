import { Context, type Probot } from "probot";
import type { DeliveryHandler } from "./delivery-processor.js";

/**
 * Runs a Probot handler on a stored delivery, with the installation's client and a logger that
 * carries the delivery id, exactly as if Probot had called it on receipt.
 */
export function contextHandler(app: Probot, handler: (context: Context) => Promise<void>): DeliveryHandler {
  return async (delivery, log) => {
    const octokit = delivery.installationId !== null ? await app.auth(delivery.installationId) : await app.auth();
    // The stored payload is what GitHub sent for this event; Probot's Context takes it as such.
    const event = { id: delivery.id, name: delivery.name, payload: JSON.parse(delivery.payload) as unknown } as ConstructorParameters<typeof Context>[0];
    await handler(new Context(event, octokit, log as ConstructorParameters<typeof Context>[2]));
  };
}
