import type { Wakeups } from "../queue/wakeups.js";
import { deliveryKey } from "./delivery-processor.js";
import type { DeliveryWriter } from "./delivery-writer.js";
import { payloadAction } from "./payload-action.js";
import { errorMessage } from "../error-message.js";

/** A request as Probot's endpoint hands it over: the body as signed, not yet parsed. */
export interface SignedRequest {
  id: string;
  name: string;
  payload: string;
  signature: string;
}

/** Probot's webhooks (`app.webhooks`): what its endpoint calls for each request, and the signature check it makes. */
export interface VerifyingReceiver {
  /** Checks the signature, parses the body and runs the handlers subscribed to the event. */
  verifyAndReceive(request: SignedRequest): Promise<void>;
  verify(body: string, signature: string): Promise<boolean>;
}

/**
 * Probot's endpoint answers 202 to a request still running after 9 s, which GitHub takes as
 * delivered: a delivery whose insert then failed would be lost. So a request whose delivery is
 * not committed sooner fails (500, to be redelivered); should the insert commit after all, the
 * redelivery is found stored.
 */
const ANSWER_WITHIN_MS = 8_000;

function withinDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the database did not store the delivery within ${ms / 1000} s; is it reachable?`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/**
 * The webhook endpoint's whole job: store each signed delivery of an event the app acts on (by
 * `event.action` in `events`), as its body came, and answer; its handler judges it later. The
 * answer waits for the commit of the insert that holds the delivery (shared with the deliveries
 * that arrived with it), so a crash after the answer loses nothing. When the database cannot
 * take it, the request fails, and Probot's endpoint answers 500: GitHub shows the delivery as
 * failed and it can be redelivered.
 *
 * Probot's endpoint hands every request to `verifyAndReceive`, which parses the body and gives
 * each subscribed handler a context with a GitHub client of its own: more work than storing the
 * delivery, and none of it needed before the delivery is handled. So a request for an event the
 * app acts on is checked against its signature and stored without either, and any other request
 * (another event, a signature that does not match, a body that is not a JSON object) goes to
 * Probot's own `verifyAndReceive`, which answers it as it always does.
 */
export function storeOnReceipt(
  webhooks: VerifyingReceiver,
  deps: {
    events: ReadonlySet<string>;
    writer: DeliveryWriter;
    wakeups: Wakeups;
    log: { info(obj: object, msg: string): void; error(obj: object, msg: string): void };
    /** How long a delivery may wait for its commit before the request fails (default `ANSWER_WITHIN_MS`). */
    answerWithinMs?: number;
  },
): void {
  const { events, writer, wakeups, log } = deps;
  const answerWithinMs = deps.answerWithinMs ?? ANSWER_WITHIN_MS;
  const names = new Set([...events].map((event) => event.split(".")[0]!));
  const probots = webhooks.verifyAndReceive.bind(webhooks);
  webhooks.verifyAndReceive = async (request) => {
    if (!names.has(request.name)) return probots(request);
    const genuine = await webhooks.verify(request.payload, request.signature).catch(() => false);
    const action = genuine ? payloadAction(request.payload) : undefined;
    if (action === undefined) return probots(request);
    // Answered, and nothing stored: GitHub sends every action of an event the app subscribes to.
    if (!events.has(deliveryKey(request.name, action))) return;
    const row = { id: request.id, name: request.name, action, json: request.payload };
    let stored: boolean;
    try {
      stored = await withinDeadline(writer.record(row), answerWithinMs);
    } catch (error) {
      log.error({ err: error, deliveryId: request.id, event: request.name }, "could not store the webhook; answering 500 so GitHub shows it failed and it can be redelivered");
      // Probot's endpoint answers with the status and message of the first error it is given.
      throw new AggregateError([error], errorMessage(error));
    }
    if (stored) wakeups.notify("deliveries");
    else log.info({ deliveryId: request.id }, "webhook delivered again; already stored");
  };
}
