import { createHmac } from "node:crypto";
import examples from "@octokit/webhooks-examples/api.github.com/index.json" with { type: "json" };

type Payload = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A payload from @octokit/webhooks-examples, deep-copied so a test may adjust it. */
export function examplePayload(event: string, predicate: (payload: Payload) => boolean = () => true): Payload {
  const entry = (examples as Array<{ name: string; examples: Payload[] }>).find((e) => e.name === event);
  const found = entry?.examples.find(predicate);
  if (!found) throw new Error(`no example payload for ${event} matching the predicate`);
  return structuredClone(found);
}

/**
 * `issue_comment.created` on a pull request: GitHub's example comment (the one with an
 * installation), its issue marked as a pull request the way GitHub marks one.
 */
export function pullRequestCommentPayload(body: string): Payload {
  const payload = examplePayload("issue_comment", (p) => p.action === "created" && p.installation !== undefined);
  const pr = examplePayload("issues", (p) => p.issue?.pull_request !== undefined).issue.pull_request;
  payload.issue.pull_request = pr;
  payload.comment.body = body;
  return payload;
}

export function signature(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}
