// An agent session (JSON lines) rendered as readable Markdown for a check run's `output.text`.
//
// Accepted line shapes (one JSON object per line; blank lines are skipped):
//
//   {"type":"message","role":"assistant","content":"I will update the README."}
//   {"type":"tool_call","name":"edit_file","input":{"path":"README.md"}}
//   {"type":"tool_result","name":"edit_file","output":"ok","is_error":false}
//
// Leniently, also the common transcript shapes agents write:
//   - `content` as an array of blocks: {"type":"text","text"}, {"type":"tool_use","name","input"},
//     {"type":"tool_result","content"} (Anthropic Messages, Claude Code `stream-json`, where the
//     message sits under `message`: {"type":"assistant","message":{"role","content"}});
//   - OpenAI chat messages: {"role":"assistant","content","tool_calls":[{"function":{"name","arguments"}}]}
//     and {"role":"tool","name","content"};
//   - aliases: `tool_use`/`function_call` for tool_call, `text` for content, `arguments`/`args`/
//     `parameters` for input, `content`/`result` for output; {"type":"result","result"} as a
//     final assistant message.
// Anything else (invalid JSON, or JSON in no known shape) is shown raw in a code block, so nothing
// the agent wrote is lost and nothing in it is read as Markdown.

import { escapeMarkdownInline, fencedCodeBlock } from "./markdown.js";

/** One readable entry of a session. */
export type SessionEntry =
  | { kind: "message"; role: string; text: string }
  | { kind: "tool_call"; name: string; input: string }
  | { kind: "tool_result"; name: string | undefined; output: string; isError: boolean }
  | { kind: "raw"; line: string };

/** Tool results are often whole files or long command output: the first lines tell the story. */
export const TOOL_RESULT_LIMIT = { lines: 40, chars: 2_000 } as const;
/** Tool inputs can hold a whole file being written; keep more of them than of results. */
export const TOOL_INPUT_LIMIT = { lines: 80, chars: 4_000 } as const;

export function renderSession(jsonLines: string): string {
  const entries = parseSession(jsonLines);
  if (entries.length === 0) return "_The agent's session is empty._\n";
  return `${entries.map(renderEntry).join("\n\n")}\n`;
}

export function parseSession(jsonLines: string): SessionEntry[] {
  return jsonLines
    .split(/\r?\n/)
    .filter((line) => line.trim() !== "")
    .flatMap(parseSessionLine);
}

export function parseSessionLine(line: string): SessionEntry[] {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return [{ kind: "raw", line }];
  }
  const entries = isRecord(value) ? entriesOf(value) : [];
  return entries.length > 0 ? entries : [{ kind: "raw", line }];
}

function entriesOf(record: Record<string, unknown>): SessionEntry[] {
  const type = typeof record.type === "string" ? record.type : undefined;

  // Claude Code stream-json and similar wrap the message: {"type":"assistant","message":{…}}.
  if (isRecord(record.message) && (record.message.role !== undefined || record.message.content !== undefined)) {
    return messageEntries(record.message, stringOr(record.message.role, type ?? "message"));
  }
  switch (type) {
    case "tool_call":
    case "tool_use":
    case "function_call":
      return [toolCall(record)];
    case "tool_result":
    case "function_call_output":
      return [toolResult(record)];
    case "result":
      if (typeof record.result === "string") return [{ kind: "message", role: "result", text: record.result }];
      return [];
    case "message":
    case undefined:
      break;
    default:
      // {"type":"assistant","content":"…"}: the type names the role.
      if (record.role === undefined && (record.content !== undefined || record.text !== undefined)) {
        return messageEntries(record, type);
      }
  }
  if (typeof record.role === "string") {
    if (record.role === "tool") return [toolResult(record)];
    return messageEntries(record, record.role);
  }
  return [];
}

function messageEntries(message: Record<string, unknown>, role: string): SessionEntry[] {
  const entries: SessionEntry[] = [];
  const content = message.content ?? message.text;
  if (typeof content === "string") {
    if (content.trim() !== "") entries.push({ kind: "message", role, text: content });
  } else if (Array.isArray(content)) {
    for (const block of content) entries.push(...blockEntries(block, role));
  }
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls) {
      if (isRecord(call)) entries.push(toolCall(isRecord(call.function) ? call.function : call));
    }
  }
  return entries;
}

function blockEntries(block: unknown, role: string): SessionEntry[] {
  if (typeof block === "string") return block.trim() === "" ? [] : [{ kind: "message", role, text: block }];
  if (!isRecord(block)) return [];
  switch (block.type) {
    case "text":
    case "output_text":
    case "input_text":
      return typeof block.text === "string" && block.text.trim() !== ""
        ? [{ kind: "message", role, text: block.text }]
        : [];
    case "tool_use":
    case "tool_call":
    case "function_call":
      return [toolCall(block)];
    case "tool_result":
      return [toolResult(block)];
    case "thinking":
      return [];
    default:
      return [{ kind: "raw", line: JSON.stringify(block) }];
  }
}

function toolCall(record: Record<string, unknown>): SessionEntry {
  const input = record.input ?? record.arguments ?? record.args ?? record.parameters;
  return { kind: "tool_call", name: stringOr(record.name, "tool"), input: showValue(input) };
}

function toolResult(record: Record<string, unknown>): SessionEntry {
  const output = record.output ?? record.content ?? record.result;
  return {
    kind: "tool_result",
    name: typeof record.name === "string" ? record.name : undefined,
    output: showValue(output),
    isError: record.is_error === true || record.isError === true,
  };
}

function renderEntry(entry: SessionEntry): string {
  switch (entry.kind) {
    case "message":
      return `**${escapeMarkdownInline(entry.role)}**\n\n${fencedCodeBlock(entry.text)}`;
    case "tool_call":
      return `**tool call** \`${inlineCode(entry.name)}\`\n\n${fencedCodeBlock(truncate(entry.input, TOOL_INPUT_LIMIT))}`;
    case "tool_result": {
      const label = entry.isError ? "tool error" : "tool result";
      const name = entry.name === undefined ? "" : ` \`${inlineCode(entry.name)}\``;
      return `**${label}**${name}\n\n${fencedCodeBlock(truncate(entry.output, TOOL_RESULT_LIMIT))}`;
    }
    case "raw":
      return `**unrecognised line**\n\n${fencedCodeBlock(entry.line)}`;
  }
}

/** Keeps the first lines of long text and says how much was left out. */
export function truncate(text: string, limit: { lines: number; chars: number }): string {
  const lines = text.split("\n");
  let kept = lines.slice(0, limit.lines).join("\n");
  if (kept.length > limit.chars) kept = kept.slice(0, limit.chars);
  if (kept.length === text.length) return text;
  const keptLines = kept.split("\n").length;
  const omittedLines = lines.length - keptLines;
  const omitted =
    omittedLines > 0 ? `${omittedLines} more line${omittedLines === 1 ? "" : "s"}` : `${text.length - kept.length} more characters`;
  return `${kept}\n… (${omitted} not shown)`;
}

/** Tool names go in inline code; a backtick or newline in one must not break out of it. */
function inlineCode(text: string): string {
  return text.replace(/[`\r\n]/g, "'");
}

function showValue(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  // Tool results in block form: [{"type":"text","text":"…"}] reads better as its text.
  if (Array.isArray(value) && value.every((part) => isRecord(part) && typeof part.text === "string")) {
    return value.map((part) => (part as { text: string }).text).join("\n");
  }
  return JSON.stringify(value, null, 2);
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === "string" && value !== "" ? value : fallback;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
