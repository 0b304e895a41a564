// Markdown that shows user text literally: in a table cell, inline, or in a code block.

/** Escapes text for a Markdown table cell or inline text so it shows literally, on one line. */
export function escapeMarkdownInline(text: string): string {
  // Backslash-escaping is valid for any ASCII punctuation; these are the ones with inline meaning.
  // Escaped pipes are also what keeps a GFM table's cells apart.
  return singleLine(text).replace(/[\\`*_[\]<>|~&]/g, "\\$&");
}

/** A fenced code block that `text` cannot close early, however many backticks it contains. */
export function fencedCodeBlock(text: string): string {
  const fence = codeFenceFor(text);
  return `${fence}\n${text.endsWith("\n") ? text : `${text}\n`}${fence}`;
}

/** A fence longer than any run of backticks in `text`, so `text` cannot close it. */
export function codeFenceFor(text: string): string {
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  return "`".repeat(Math.max(3, longestRun + 1));
}

export function singleLine(text: string): string {
  return text.replace(/\r\n|\r|\n/g, " ");
}
