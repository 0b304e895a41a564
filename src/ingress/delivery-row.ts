export interface IncomingDelivery {
  id: string;
  name: string;
  /** As GitHub sent it; nothing in it is trusted to be well-formed. */
  payload: { action?: unknown; installation?: { id?: unknown } } & Record<string, unknown>;
  /** The payload's JSON exactly as received (the signed body), when at hand: stored as is rather than serialized again. */
  body?: string;
}

/** A delivery as it is stored: what routing needs, taken from the payload, and the payload's JSON. */
export interface DeliveryRow {
  id: string;
  name: string;
  action: string | null;
  installationId: number | null;
  json: string;
}

function wellFormedId(value: unknown): number | null {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0 ? value : null;
}

/**
 * The row for a delivery. Taken as soon as the delivery arrives, so that while it waits for its
 * insert the endpoint holds a few strings rather than the parsed payload and the objects around it.
 */
export function deliveryRow(delivery: IncomingDelivery): DeliveryRow {
  // Only what the payload must hold to be routed is taken from it, and only when well-formed.
  const { action, installation } = delivery.payload;
  return {
    id: delivery.id,
    name: delivery.name,
    action: typeof action === "string" ? action : null,
    installationId: wellFormedId(installation?.id),
    json: delivery.body ?? JSON.stringify(delivery.payload),
  };
}
