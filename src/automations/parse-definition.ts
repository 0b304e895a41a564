import { posix } from "node:path";
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node, type YAMLError } from "yaml";
import type { z } from "zod";
import { definitionSchema, type AutomationDefinition } from "./definition-schema.js";

// Turns the text of a definition file into a definition, or into errors that each say where
// (line:column of the offending key or value) and what was expected, so they can be shown as a
// reply and as check-run annotations on that line.

export interface DefinitionError {
  /** The file, as given to parseDefinition. */
  path: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  message: string;
}

export type ParseDefinitionResult =
  | { ok: true; definition: AutomationDefinition }
  | { ok: false; errors: DefinitionError[] };

type PathKey = PropertyKey;

export function parseDefinition(source: string, path: string): ParseDefinitionResult {
  const lineCounter = new LineCounter();
  // prettyErrors off: the message stays one line, the position is reported separately.
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number, message: string): DefinitionError => {
    const { line, col } = lineCounter.linePos(offset);
    return { path, line, column: col, message };
  };

  if (doc.errors.length > 0) {
    // The parser often reports one mistake several ways at the same spot; the first reads best.
    const errors = doc.errors.map((e) => {
      const { offset, message } = describeSyntaxError(doc, e);
      return at(offset, `invalid YAML: ${message}`);
    });
    return { ok: false, errors: sortErrors(firstAtEachPosition(errors)) };
  }
  if (doc.contents === null) {
    return { ok: false, errors: [{ path, line: 1, column: 1, message: "the file is empty; a definition needs at least container and steps" }] };
  }

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // Alias bombs and similar: the document parsed but cannot be expanded safely.
    return { ok: false, errors: [at(0, `invalid YAML: ${(error as Error).message}`)] };
  }

  const fileName = fileNameWithoutExtension(path);
  const result = definitionSchema(fileName).safeParse(data, { error: genericMessage });
  if (result.success) {
    // Commands find an automation by its file, while its runs and checks carry its name: a name
    // of its own would split it in two.
    const { name } = result.data;
    if (name === fileName) return { ok: true, definition: result.data };
    const message = `name: "${name}" is not the file's name, "${fileName}": an automation is found by its file, so rename the file to ${name}.yml or leave name out`;
    return { ok: false, errors: [at(offsetOf(doc, ["name"], { kind: "value" }), message)] };
  }

  const errors = result.error.issues.flatMap((issue) =>
    describeIssue(issue, data).map(({ message, target }) => at(offsetOf(doc, issue.path, target), message)),
  );
  return { ok: false, errors: sortErrors(dedupe(errors)) };
}

export function formatDefinitionError(error: DefinitionError): string {
  return `${error.path}:${error.line}:${error.column}: ${error.message}`;
}

/**
 * Where a syntax error is, and what it says. An unclosed quote swallows the rest of the file, so
 * the parser notices it only at the end; the quote that was opened is where the fix goes.
 */
function describeSyntaxError(doc: Document, error: YAMLError): { offset: number; message: string } {
  const offset = error.pos[0];
  if (error.code !== "MISSING_CHAR" || !/quote/.test(error.message)) return { offset, message: error.message };
  const opened: { offset: number; quote: string }[] = [];
  visit(doc, {
    Scalar(_key, node) {
      const quote = node.type === "QUOTE_DOUBLE" ? '"' : node.type === "QUOTE_SINGLE" ? "'" : null;
      if (quote !== null && node.range?.[1] === offset) opened.push({ offset: node.range[0], quote });
    },
  });
  const [first] = opened;
  if (first === undefined) return { offset, message: error.message };
  return { offset: first.offset, message: `the ${first.quote} quote opened here is never closed` };
}

function fileNameWithoutExtension(path: string): string {
  return posix.basename(path.replaceAll("\\", "/")).replace(/\.ya?ml$/i, "");
}

/** Where in the document an issue points: the value at its path, or a key there. */
type Target = { kind: "value" } | { kind: "key"; key: string } | { kind: "own-key" };

function describeIssue(issue: z.core.$ZodIssue, data: unknown): { message: string; target: Target }[] {
  const subject = formatPath(issue.path);
  if (issue.code === "unrecognized_keys") {
    // One error per key, each on the key's own line.
    const where = issue.path.length > 0 ? ` in ${subject}` : "";
    return issue.keys.map((key) => ({
      message: `unknown key "${key}"${where} (${issue.message})`,
      target: { kind: "key", key },
    }));
  }
  if (issue.code === "invalid_key") {
    const inner = issue.issues[0]?.message ?? issue.message;
    return [{ message: `${formatPath(issue.path.slice(0, -1))}: ${inner}`, target: { kind: "own-key" } }];
  }
  let message = joinSubject(subject, issue.message);
  if (issue.path.length === 1 && issue.path[0] === "name" && !hasKey(data, "name")) {
    message += "; it comes from the file name: rename the file or add a `name:` key";
  }
  return [{ message, target: { kind: "value" } }];
}

// Phrases that complete "<path> …" read as a sentence; anything else follows a colon.
function joinSubject(subject: string, message: string): string {
  return /^(must|is|needs) /.test(message) ? `${subject} ${message}` : `${subject}: ${message}`;
}

/** `container.resources.memory`, `steps[2].agent`, `container.env["odd key"]`. */
function formatPath(path: readonly PathKey[]): string {
  if (path.length === 0) return "the definition";
  let text = "";
  for (const key of path) {
    if (typeof key === "number") text += `[${key}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(String(key))) text += text === "" ? String(key) : `.${String(key)}`;
    else text += `[${JSON.stringify(String(key))}]`;
  }
  return text;
}

// Messages for zod's own issues, in the same subject-less form as the schema's. Issues whose
// schema already set a message never reach this map.
function genericMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return "is required";
      if (issue.input === null) return `is empty (expected ${describeExpected(issue.expected)})`;
      return `must be ${describeExpected(issue.expected)} (got ${describeValue(issue.input)})`;
    case "too_small":
      if (issue.origin === "array") return `must have at least ${String(issue.minimum)} ${plural(issue.minimum, "item")}`;
      if (issue.origin === "string") return issue.minimum === 1 ? "must not be empty" : `must be at least ${String(issue.minimum)} characters`;
      return issue.inclusive ? `must be at least ${String(issue.minimum)}` : `must be greater than ${String(issue.minimum)}`;
    case "too_big":
      if (issue.origin === "array") return `must have at most ${String(issue.maximum)} ${plural(issue.maximum, "item")}`;
      if (issue.origin === "string") return `must be at most ${String(issue.maximum)} characters`;
      return issue.inclusive ? `must be at most ${String(issue.maximum)}` : `must be less than ${String(issue.maximum)}`;
    case "invalid_value":
      return `must be one of: ${issue.values.map(String).join(", ")} (got ${describeValue(issue.input)})`;
    case "not_multiple_of":
      return `must be a multiple of ${String(issue.divisor)}`;
    default:
      return undefined;
  }
}

function describeExpected(expected: string): string {
  switch (expected) {
    case "string":
      return "a string";
    case "number":
      return "a number";
    case "int":
      return "a whole number";
    case "boolean":
      return "true or false";
    case "array":
      return "a list";
    case "object":
    case "record":
      return "a mapping of keys to values";
    default:
      return expected;
  }
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return JSON.stringify(value);
  return String(value);
}

function plural(count: number | bigint, word: string): string {
  return Number(count) === 1 ? word : `${word}s`;
}

function hasKey(data: unknown, key: string): boolean {
  return typeof data === "object" && data !== null && Object.hasOwn(data, key);
}

/**
 * The source offset an issue points at. The node at the issue's path when it exists; for a
 * missing key, the key that holds its parent (`container:` for a missing `container.image`), or
 * the parent itself when it has no key (a list item, the document).
 */
function offsetOf(doc: Document, path: readonly PathKey[], target: Target): number {
  let node: Node | null = doc.contents as Node | null;
  let keyNode: Node | null = null;
  let found = true;
  for (const segment of path) {
    if (isAlias(node)) node = (node.resolve(doc) as Node | undefined) ?? node;
    let child: { value: Node | null; key: Node | null } | undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (pair) child = { value: pair.value as Node | null, key: pair.key as Node };
    } else if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment];
      if (item !== undefined) child = { value: item as Node | null, key: null };
    }
    if (child === undefined) {
      found = false;
      break;
    }
    if (child.value === null) {
      // `key:` with nothing after it, parsed without a value node: the key is the best place.
      node = child.key;
      keyNode = child.key;
      found = segment === path[path.length - 1];
      if (!found) break;
      continue;
    }
    node = child.value;
    keyNode = child.key;
  }

  if (found && target.kind === "key" && isMap(node)) {
    const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === target.key);
    const start = (pair?.key as Node | undefined)?.range?.[0];
    if (start !== undefined) return start;
  }
  if (found && target.kind === "own-key" && keyNode?.range) return keyNode.range[0];
  // `image:` with nothing after it: the empty value sits after the colon; the key reads better.
  if (found && isScalar(node) && node.value === null && keyNode?.range) return keyNode.range[0];
  if (found && node?.range) return node.range[0];
  return keyNode?.range?.[0] ?? node?.range?.[0] ?? 0;
}

function sortErrors(errors: DefinitionError[]): DefinitionError[] {
  return errors.sort((a, b) => a.line - b.line || a.column - b.column);
}

function firstAtEachPosition(errors: DefinitionError[]): DefinitionError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.line}:${e.column}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function dedupe(errors: DefinitionError[]): DefinitionError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = formatDefinitionError(e);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
