import { parseSession, type SessionEntry } from "../reporting/render-session.js";
import { html, join, type Html } from "./html.js";

// The agent's session as a conversation: messages as speech bubbles by role, tool calls and their
// results as collapsible blocks. Parsing is shared with the check's Markdown (render-session.ts).

export function sessionToHtml(jsonLines: string): Html {
  const entries = parseSession(jsonLines);
  if (entries.length === 0) return html`<p class="muted">The agent's session is empty.</p>`;
  return html`<ol class="session">${join(entries.map(entryToHtml))}</ol>`;
}

function entryToHtml(entry: SessionEntry): Html {
  switch (entry.kind) {
    case "message":
      return html`<li class="message role-${roleClass(entry.role)}">
        <div class="who">${entry.role}</div>
        <div class="text">${entry.text}</div>
      </li>`;
    case "tool_call":
      return html`<li class="tool-call">
        <details${entry.input.length < 400 ? " open" : ""}>
          <summary>tool call <code>${entry.name}</code></summary>
          <pre>${entry.input}</pre>
        </details>
      </li>`;
    case "tool_result":
      return html`<li class="tool-result${entry.isError ? " error" : ""}">
        <details${entry.output.length < 400 ? " open" : ""}>
          <summary>${entry.isError ? "tool error" : "tool result"}${entry.name ? html` <code>${entry.name}</code>` : ""}</summary>
          <pre>${entry.output}</pre>
        </details>
      </li>`;
    case "raw":
      return html`<li class="raw"><div class="who">unrecognised line</div><pre>${entry.line}</pre></li>`;
  }
}

/** Roles become a CSS class; anything but the usual few is styled as "other". */
function roleClass(role: string): string {
  return ["user", "assistant", "system", "result"].includes(role) ? role : "other";
}
