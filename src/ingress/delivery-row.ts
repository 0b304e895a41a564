/** A delivery given as an event with its payload parsed, rather than as the body GitHub signed. */
export interface IncomingDelivery {
  id: string;
  name: string;
  /** As GitHub sent it; nothing in it is trusted to be well-formed. */
  payload: { action?: unknown } & Record<string, unknown>;
}

/** A delivery as it is stored: what routing needs, and the payload's JSON. */
export interface DeliveryRow {
  id: string;
  name: string;
  action: string | null;
  json: string;
}

/** The row for a delivery given with its payload parsed: its JSON is written again. */
export function deliveryRow(delivery: IncomingDelivery): DeliveryRow {
  const { action } = delivery.payload;
  return {
    id: delivery.id,
    name: delivery.name,
    action: typeof action === "string" ? action : null,
    json: JSON.stringify(delivery.payload),
  };
}
