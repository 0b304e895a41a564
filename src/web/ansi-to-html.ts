import Anser from "anser";
import { html, join, type Html } from "./html.js";

// Terminal output as HTML: colours and bold/italic/underline become spans with classes, every
// character of text is escaped. Cursor movement and other control sequences are dropped.

const decorationClass: Record<string, string> = {
  bold: "ansi-bold",
  dim: "ansi-dim",
  italic: "ansi-italic",
  underline: "ansi-underline",
  strikethrough: "ansi-strike",
};

export function ansiToHtml(text: string): Html {
  const parts = Anser.ansiToJson(stripNonColourSequences(text), { use_classes: true, remove_empty: true });
  return join(
    parts.map((part) => {
      const classes: string[] = [];
      const styles: string[] = [];
      colour(part.fg, part.fg_truecolor, "color", classes, styles, "");
      colour(part.bg, part.bg_truecolor, "background-color", classes, styles, "-bg");
      for (const d of part.decorations ?? []) {
        const cls = decorationClass[d];
        if (cls) classes.push(cls);
      }
      if (classes.length === 0 && styles.length === 0) return html`${part.content}`;
      return html`<span${classes.length > 0 ? html` class="${classes.join(" ")}"` : ""}${
        styles.length > 0 ? html` style="${styles.join(";")}"` : ""
      }>${part.content}</span>`;
    }),
  );
}

function colour(name: string | null, truecolor: string | null, property: string, classes: string[], styles: string[], suffix: string) {
  if (!name) return;
  if (name === "ansi-truecolor") {
    if (truecolor && /^\d{1,3}, \d{1,3}, \d{1,3}$/.test(truecolor)) styles.push(`${property}:rgb(${truecolor})`);
    return;
  }
  const palette = /^ansi-palette-(\d{1,3})$/.exec(name);
  if (palette) {
    styles.push(`${property}:${xterm256(Number(palette[1]))}`);
    return;
  }
  if (/^ansi-[a-z-]+$/.test(name)) classes.push(`${name}${suffix}`);
}

const basic = ["#000000", "#cd3131", "#0dbc79", "#e5e510", "#2472c8", "#bc3fbc", "#11a8cd", "#e5e5e5"];
const bright = ["#666666", "#f14c4c", "#23d18b", "#f5f543", "#3b8eea", "#d670d6", "#29b8db", "#ffffff"];

/** The xterm 256-colour palette: 16 named colours, a 6×6×6 cube, then 24 greys. */
export function xterm256(index: number): string {
  if (index < 8) return basic[index] ?? "inherit";
  if (index < 16) return bright[index - 8] ?? "inherit";
  if (index < 232) {
    const n = index - 16;
    const level = (v: number) => (v === 0 ? 0 : 55 + v * 40);
    return `rgb(${level(Math.floor(n / 36))},${level(Math.floor(n / 6) % 6)},${level(n % 6)})`;
  }
  if (index < 256) {
    const grey = 8 + (index - 232) * 10;
    return `rgb(${grey},${grey},${grey})`;
  }
  return "inherit";
}

/** Removes escape sequences other than colours (SGR), e.g. cursor moves and line clears. */
function stripNonColourSequences(text: string): string {
  // CSI sequences not ending in `m`, OSC sequences (window titles, links), and lone carriage returns
  // before a newline are terminal housekeeping a page cannot show.
  return text
    .replace(/\x1b\[[0-9;?]*[A-La-ln-zA-Z@`]/g, "")
    .replace(/\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g, "")
    .replace(/\r\n/g, "\n");
}
