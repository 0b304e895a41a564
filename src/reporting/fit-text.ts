// Fitting text into a character budget. Budgets are in UTF-16 code units (`.length`), and a cut
// never separates the two halves of a surrogate pair, which would show as a broken character.

export interface FittedText {
  text: string;
  /** How many characters were cut off. */
  omittedChars: number;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/**
 * Keeps the end of `text` within `maxChars`: the newest whole lines, or, when the last line alone
 * is too long, the end of that line.
 */
export function fitTail(text: string, maxChars: number): FittedText {
  if (text.length <= maxChars) return { text, omittedChars: 0 };
  if (maxChars <= 0) return { text: "", omittedChars: text.length };

  const earliest = text.length - maxChars;
  // The first line break at or after the earliest allowed start ends the one partial line.
  const lineBreak = text.indexOf("\n", earliest - 1);
  let start = lineBreak !== -1 && lineBreak < text.length - 1 ? lineBreak + 1 : earliest;
  if (isLowSurrogate(text.charCodeAt(start)) && isHighSurrogate(text.charCodeAt(start - 1))) start += 1;
  return { text: text.slice(start), omittedChars: start };
}

/** Keeps the start of `text` within `maxChars`, ending it with `marker` when something was cut. */
export function fitHead(text: string, maxChars: number, marker = "…"): string {
  if (text.length <= maxChars) return text;
  if (maxChars <= marker.length) return marker.slice(0, Math.max(0, maxChars));
  let end = maxChars - marker.length;
  if (isHighSurrogate(text.charCodeAt(end - 1)) && isLowSurrogate(text.charCodeAt(end))) end -= 1;
  return text.slice(0, end) + marker;
}
