// Terminal output shown on GitHub: colour and cursor codes show there as noise, and would spend
// the character budget.

/** Removes ANSI escape sequences (colours, cursor moves, OSC titles and links). */
export function stripTerminalEscapes(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g, "");
}
