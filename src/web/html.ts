import { html as honoHtml, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

// Every page is built from these tagged templates: interpolated strings are HTML-escaped,
// nested templates are kept as they are. Nothing here awaits, so the result is always a string.

export type Html = HtmlEscapedString;

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  return honoHtml(strings, ...values) as Html;
}

export { raw };

/** Joins rendered pieces into one. */
export function join(parts: readonly Html[], separator = ""): Html {
  return raw(parts.map(String).join(separator));
}
