import type { Context } from "hono";
import type { PagesEnv } from "../auth.js";
import { base } from "../format.js";
import { html } from "../html.js";
import { messagePage } from "../layout.js";

// Answers several routes give, worded once.

export function notFound(c: Context<PagesEnv>, what: string) {
  return c.html(messagePage("Not found", c.get("viewer"), html`${what} does not exist, or is in a repository you cannot read. <a href="${base}">All runs</a>.`), 404);
}

export function writeAccessNeeded(c: Context<PagesEnv>, repository: string) {
  return c.html(messagePage("Write access needed", c.get("viewer"), html`Cancelling and retrying need write access to ${repository}; you can read it only.`), 403);
}

export function noAppCredentials(c: Context<PagesEnv>, title: string) {
  return c.html(messagePage(title, c.get("viewer"), "This process has no GitHub App credentials to start runs with."), 503);
}

/** After a button, back to the page it was pressed on when that is one of these pages. */
export function backTo(c: Context, fallback: string): string {
  const referer = c.req.header("referer");
  if (!referer) return fallback;
  try {
    const url = new URL(referer);
    return url.origin === new URL(c.req.url).origin && url.pathname.startsWith(`${base}/`) ? url.pathname : fallback;
  } catch {
    return fallback;
  }
}
