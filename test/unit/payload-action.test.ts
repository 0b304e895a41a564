import { describe, expect, it } from "vitest";
import examples from "@octokit/webhooks-examples/api.github.com/index.json" with { type: "json" };
import { payloadAction } from "../../src/ingress/payload-action.js";

type Payload = Record<string, unknown>;

describe("the action of a webhook body", () => {
  it("is the payload's action for every example GitHub documents, as GitHub writes them", () => {
    const all = (examples as Array<{ name: string; examples: Payload[] }>).flatMap((e) => e.examples);
    expect(all.length).toBeGreaterThan(300);
    for (const payload of all) {
      const action = typeof payload.action === "string" ? payload.action : null;
      expect(payloadAction(JSON.stringify(payload))).toBe(action);
    }
  });

  it("is read wherever the action stands, and unescaped when written with escapes", () => {
    expect(payloadAction('{"installation":{"id":1},"action":"created"}')).toBe("created");
    expect(payloadAction('{"action":"cre\\u0061ted"}')).toBe("created");
    expect(payloadAction('{ "action": "created" }')).toBe("created");
    expect(payloadAction('{"action":"requested_action","check_run":{}}')).toBe("requested_action");
  });

  it("is null for a payload without one or with one that is not a string", () => {
    expect(payloadAction('{"zen":"Keep it logically awesome.","hook_id":1}')).toBeNull();
    expect(payloadAction('{"action":7}')).toBeNull();
    expect(payloadAction('{"action":null,"x":1}')).toBeNull();
  });

  it("is undefined for a body that is not a JSON object", () => {
    for (const body of ["", "not json", '{"action":"created"', "[]", '"created"', "null", "7"]) expect(payloadAction(body)).toBeUndefined();
  });
});
