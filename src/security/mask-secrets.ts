// The one place secret values are hidden: every stored or shown text that can carry action
// output passes through a Masker (step logs, agent sessions, reasons, error lines, app logs).

export const MASK = "***";

// Shorter base64 fragments would hide ordinary text; the raw value is always masked whatever its length.
const MIN_DERIVED_LENGTH = 4;

export interface Masker {
  /** `text` with every secret value, and its base64 forms, replaced by `***`. */
  mask(text: string): string;
  /** The longest text masked; a stream must hold back this many characters less one. */
  readonly longest: number;
  /** Every text masked, longest first. */
  readonly patterns: readonly string[];
}

/** A masker for `values`; empty values are ignored. */
export function createMasker(values: Iterable<string>): Masker {
  const patterns = new Set<string>();
  for (const value of values) {
    if (value === "") continue;
    patterns.add(value);
    for (const derived of derivedForms(value)) if (derived.length >= MIN_DERIVED_LENGTH) patterns.add(derived);
  }
  if (patterns.size === 0) return { mask: (text) => text, longest: 0, patterns: [] };
  // Longest first, so where two patterns start at the same place the whole longer one goes.
  const sorted = [...patterns].sort((a, b) => b.length - a.length);
  const pattern = alternation(sorted);
  return {
    mask: (text) => text.replace(new RegExp(pattern, "g"), MASK),
    longest: sorted[0]!.length,
    patterns: sorted,
  };
}

/**
 * Forms a value takes in output besides itself: each line of a multi-line value (tools print
 * them line by line) and its base64 encodings (e.g. in an HTTP Basic header or a Kubernetes
 * secret). Inside a longer base64 text the value starts at one of three byte offsets; for each,
 * only the characters that depend on the value alone are kept.
 */
export function derivedForms(value: string): string[] {
  const forms: string[] = [];
  const lines = value.split(/\r?\n/).map((line) => line.trim());
  if (lines.length > 1) forms.push(...lines.filter((line) => line !== ""));
  const bytes = Buffer.from(value, "utf8");
  forms.push(bytes.toString("base64"));
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64").replace(/=+$/, "");
    const start = Math.ceil((offset * 8) / 6);
    const end = Math.floor(((offset + bytes.length) * 8) / 6);
    forms.push(encoded.slice(start, end));
    // The URL-safe alphabet, as in JWTs and many tokens.
    forms.push(encoded.slice(start, end).replace(/\+/g, "-").replace(/\//g, "_"));
  }
  return forms;
}

export interface MaskingStream {
  /** Masked text that is safe to emit now; up to `longest - 1` characters are held back. */
  write(text: string): string;
  /** The held-back rest, masked; the stream can be written again afterwards. */
  end(): string;
}

/**
 * Masks a stream of text that arrives in chunks, so a value split across two chunks is still
 * caught: an end of a chunk that could be the start of a masked text waits for the next chunk.
 * Nothing else waits, so output that holds no secret's beginning is passed on at once (and
 * stdout and stderr stay in order in a combined log).
 */
export function maskingStream(masker: Masker): MaskingStream {
  let pending = "";
  if (masker.patterns.length === 0 || masker.longest <= 1) {
    return { write: (text) => masker.mask(text), end: () => "" };
  }
  const pattern = new RegExp(alternation(masker.patterns), "g");
  return {
    write(text) {
      const buffer = pending + text;
      // No match can start before `cut` that later text would change: from there on, the
      // buffer's end could still grow into a masked text.
      const cut = startOfPossibleMatch(buffer, masker.patterns, masker.longest);
      let out = "";
      let emitted = 0;
      pattern.lastIndex = 0;
      for (let match = pattern.exec(buffer); match !== null && match.index < cut; match = pattern.exec(buffer)) {
        out += buffer.slice(emitted, match.index) + MASK;
        emitted = match.index + match[0].length;
      }
      const keepFrom = Math.max(cut, emitted);
      out += buffer.slice(emitted, keepFrom);
      pending = buffer.slice(keepFrom);
      return out;
    },
    end() {
      const rest = masker.mask(pending);
      pending = "";
      return rest;
    },
  };
}

/** Where the buffer's longest suffix that is a proper prefix of some pattern begins; its length when none. */
function startOfPossibleMatch(buffer: string, patterns: readonly string[], longest: number): number {
  for (let i = Math.max(0, buffer.length - (longest - 1)); i < buffer.length; i++) {
    const rest = buffer.length - i;
    const first = buffer.charCodeAt(i);
    for (const pattern of patterns) {
      if (pattern.length > rest && pattern.charCodeAt(0) === first && pattern.startsWith(buffer.slice(i))) return i;
    }
  }
  return buffer.length;
}

function alternation(patterns: readonly string[]): string {
  return patterns.map(escapeRegExp).join("|");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
