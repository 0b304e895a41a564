/**
 * The bodies of the webhook requests being received, as GitHub signed them, so the endpoint can
 * store a delivery's JSON as it came instead of serializing the parsed payload again (which
 * costs about as much as parsing it, for every request).
 */
export interface ReceivedBodies {
  /**
   * The body of the request that delivered `id`, while its handlers run; undefined when there is
   * none or more than one request with that id is being received (then which one is unknown).
   */
  bodyOf(id: string): string | undefined;
}

/** Probot's webhooks: what its endpoint calls for each request, and what `app.receive` calls with an event in hand. */
export interface VerifyingReceiver {
  /** Checks the signature, parses the body and runs the handlers. */
  verifyAndReceive(event: { id: string; name: string; payload: string; signature: string }): Promise<void>;
  /** Runs the handlers on an event given as it is, with no body. */
  receive(event: { id: string }): Promise<void>;
}

/**
 * Keeps each request's body by delivery id for as long as its `verifyAndReceive` runs. A handler
 * runs inside the call of the request it came from, only once the signature matched, so while a
 * single request with its id is in flight that request's body is the one it was given; a forged
 * request reusing the id of one in flight makes two, and the handler gets none. An event given to
 * `receive` has no body, so none is given out for its id while it is handled.
 */
export function captureReceivedBodies(receiver: VerifyingReceiver): ReceivedBodies {
  const inFlight = new Map<string, string[]>();
  const withoutBody = new Map<string, number>();
  const original = receiver.verifyAndReceive;
  receiver.verifyAndReceive = async (event) => {
    const bodies = inFlight.get(event.id);
    if (bodies) bodies.push(event.payload);
    else inFlight.set(event.id, [event.payload]);
    try {
      return await original.call(receiver, event);
    } finally {
      const remaining = inFlight.get(event.id);
      if (remaining && remaining.length > 1) remaining.splice(remaining.indexOf(event.payload), 1);
      else inFlight.delete(event.id);
    }
  };
  const receive = receiver.receive;
  receiver.receive = async (event) => {
    const id = event?.id;
    withoutBody.set(id, (withoutBody.get(id) ?? 0) + 1);
    try {
      return await receive.call(receiver, event);
    } finally {
      const left = (withoutBody.get(id) ?? 1) - 1;
      if (left > 0) withoutBody.set(id, left);
      else withoutBody.delete(id);
    }
  };
  return {
    bodyOf(id) {
      if (withoutBody.has(id)) return undefined;
      const bodies = inFlight.get(id);
      return bodies?.length === 1 ? bodies[0] : undefined;
    },
  };
}
