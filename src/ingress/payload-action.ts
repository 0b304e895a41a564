/** GitHub writes a payload's `action` first; a word of letters and underscores needs no unescaping. */
const LEADING_ACTION = /^\{"action":"([a-z_]+)"[,}]/;

/**
 * The `action` of a webhook's JSON body: a string, null when the payload has none (or not a
 * string), undefined when the body is not a JSON object. The endpoint needs only this to know
 * whether the app acts on a signed delivery, so when the body starts as GitHub's do, with
 * `action`, it is read no further (parsing the whole of it is a tenth of the endpoint's work on
 * a delivery); any other body is parsed whole.
 */
export function payloadAction(body: string): string | null | undefined {
  const leading = LEADING_ACTION.exec(body);
  if (leading) return leading[1]!;
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) return undefined;
  const { action } = payload as { action?: unknown };
  return typeof action === "string" ? action : null;
}
