/**
 * Text as PostgreSQL's `text` can hold it: it has no NUL character, and one would make the whole
 * statement fail. Output from steps and agents is not ours to trust, so NUL becomes U+FFFD (�).
 */
export function storableText(text: string): string {
  return text.includes("\u0000") ? text.replaceAll("\u0000", "\uFFFD") : text;
}
