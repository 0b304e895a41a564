import { Context, type Probot } from "probot";
import type { DeliveryHandler } from "./delivery-processor.js";

/** The installation a payload names, when it names one well-formed; the endpoint trusts nothing in a payload beyond its signature. */
function installationOf(payload: unknown): number | undefined {
  const id = (payload as { installation?: { id?: unknown } } | null)?.installation?.id;
  return typeof id === "number" && Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

/**
 * Runs a Probot handler on a stored delivery, with the installation's client and a logger that
 * carries the delivery id, exactly as if Probot had called it on receipt.
 */
export function contextHandler(app: Probot, handler: (context: Context) => Promise<void>): DeliveryHandler {
  return async (delivery, log) => {
    // The stored payload is what GitHub sent for this event; Probot's Context takes it as such.
    const payload = JSON.parse(delivery.payload) as unknown;
    const installationId = installationOf(payload);
    const octokit = installationId !== undefined ? await app.auth(installationId) : await app.auth();
    const event = { id: delivery.id, name: delivery.name, payload } as ConstructorParameters<typeof Context>[0];
    await handler(new Context(event, octokit, log as ConstructorParameters<typeof Context>[2]));
  };
}
