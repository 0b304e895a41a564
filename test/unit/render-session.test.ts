import { describe, expect, it } from "vitest";
import { parseSessionLine, renderSession, TOOL_RESULT_LIMIT, truncate } from "../../src/reporting/render-session.js";

describe("parseSessionLine", () => {
  const cases: { behaviour: string; line: string; expected: ReturnType<typeof parseSessionLine> }[] = [
    {
      behaviour: "a message in the documented shape keeps its role and text",
      line: '{"type":"message","role":"assistant","content":"I will update the README."}',
      expected: [{ kind: "message", role: "assistant", text: "I will update the README." }],
    },
    {
      behaviour: "a tool call in the documented shape shows its input as JSON",
      line: '{"type":"tool_call","name":"edit_file","input":{"path":"README.md"}}',
      expected: [{ kind: "tool_call", name: "edit_file", input: '{\n  "path": "README.md"\n}' }],
    },
    {
      behaviour: "a tool result in the documented shape keeps its output text",
      line: '{"type":"tool_result","name":"edit_file","output":"ok"}',
      expected: [{ kind: "tool_result", name: "edit_file", output: "ok", isError: false }],
    },
    {
      behaviour: "a failed tool result is marked as an error",
      line: '{"type":"tool_result","name":"sh","output":"no such file","is_error":true}',
      expected: [{ kind: "tool_result", name: "sh", output: "no such file", isError: true }],
    },
    {
      behaviour: "a message with content blocks yields its text and tool uses in order",
      line: JSON.stringify({
        role: "assistant",
        content: [
          { type: "thinking", thinking: "hmm" },
          { type: "text", text: "Let me look." },
          { type: "tool_use", id: "t1", name: "read", input: { path: "a.txt" } },
        ],
      }),
      expected: [
        { kind: "message", role: "assistant", text: "Let me look." },
        { kind: "tool_call", name: "read", input: '{\n  "path": "a.txt"\n}' },
      ],
    },
    {
      behaviour: "a wrapped stream-json message is unwrapped, tool results included",
      line: JSON.stringify({
        type: "user",
        message: { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: [{ type: "text", text: "hello" }] }] },
      }),
      expected: [{ kind: "tool_result", name: undefined, output: "hello", isError: false }],
    },
    {
      behaviour: "an OpenAI chat message yields its text and function calls",
      line: JSON.stringify({
        role: "assistant",
        content: "Running tests.",
        tool_calls: [{ id: "c1", type: "function", function: { name: "sh", arguments: '{"cmd":"npm test"}' } }],
      }),
      expected: [
        { kind: "message", role: "assistant", text: "Running tests." },
        { kind: "tool_call", name: "sh", input: '{"cmd":"npm test"}' },
      ],
    },
    {
      behaviour: "an OpenAI tool message is a tool result",
      line: '{"role":"tool","name":"sh","content":"3 passed"}',
      expected: [{ kind: "tool_result", name: "sh", output: "3 passed", isError: false }],
    },
    {
      behaviour: "a type that names the role is a message",
      line: '{"type":"assistant","text":"Done."}',
      expected: [{ kind: "message", role: "assistant", text: "Done." }],
    },
    {
      behaviour: "a final result line is shown as the agent's result",
      line: '{"type":"result","subtype":"success","result":"Changed 2 files."}',
      expected: [{ kind: "message", role: "result", text: "Changed 2 files." }],
    },
    {
      behaviour: "a line that is not JSON is kept raw",
      line: "Starting agent v1.2",
      expected: [{ kind: "raw", line: "Starting agent v1.2" }],
    },
    {
      behaviour: "JSON in no known shape is kept raw",
      line: '{"type":"system","subtype":"init","model":"x"}',
      expected: [{ kind: "raw", line: '{"type":"system","subtype":"init","model":"x"}' }],
    },
    {
      behaviour: "a JSON value that is not an object is kept raw",
      line: "[1,2]",
      expected: [{ kind: "raw", line: "[1,2]" }],
    },
  ];

  it.each(cases)("$behaviour", ({ line, expected }) => {
    expect(parseSessionLine(line)).toEqual(expected);
  });
});

describe("renderSession", () => {
  it("renders messages, tool calls and results as labelled code blocks in order", () => {
    const session = [
      '{"type":"message","role":"user","content":"Bump the version"}',
      '{"type":"tool_call","name":"edit_file","input":{"path":"VERSION"}}',
      '{"type":"tool_result","name":"edit_file","output":"ok"}',
      "",
    ].join("\n");
    expect(renderSession(session)).toBe(
      [
        "**user**",
        "",
        "```",
        "Bump the version",
        "```",
        "",
        "**tool call** `edit_file`",
        "",
        "```",
        "{",
        '  "path": "VERSION"',
        "}",
        "```",
        "",
        "**tool result** `edit_file`",
        "",
        "```",
        "ok",
        "```",
        "",
      ].join("\n"),
    );
  });

  const literalCases: { behaviour: string; line: string; mustContain: string; mustNotContain: string }[] = [
    {
      behaviour: "a message cannot close its code block early with backticks",
      line: JSON.stringify({ type: "message", role: "assistant", content: "```\n# Heading" }),
      mustContain: "````\n```\n# Heading\n````",
      mustNotContain: "```\n```\n# Heading\n```\n",
    },
    {
      behaviour: "an invalid line is shown inside a code block, not as Markdown",
      line: "<img src=x> **bold** ```",
      mustContain: "````\n<img src=x> **bold** ```\n````",
      mustNotContain: "\n<img src=x> **bold** ```\n\n",
    },
    {
      behaviour: "a role cannot inject Markdown into its label",
      line: '{"type":"message","role":"*x*","content":"hi"}',
      mustContain: "**\\*x\\***",
      mustNotContain: "***x***",
    },
    {
      behaviour: "a tool name cannot break out of its inline code",
      line: '{"type":"tool_call","name":"a`b","input":{}}',
      mustContain: "`a'b`",
      mustNotContain: "a`b",
    },
  ];

  it.each(literalCases)("$behaviour", ({ line, mustContain, mustNotContain }) => {
    const rendered = renderSession(line);
    expect(rendered).toContain(mustContain);
    expect(rendered).not.toContain(mustNotContain);
  });

  it("shows the first lines of a long tool result and says how many were left out", () => {
    const output = Array.from({ length: 100 }, (_, i) => `line ${i + 1}`).join("\n");
    const rendered = renderSession(JSON.stringify({ type: "tool_result", name: "sh", output }));
    expect(rendered).toContain(`line ${TOOL_RESULT_LIMIT.lines}\n`);
    expect(rendered).not.toContain(`line ${TOOL_RESULT_LIMIT.lines + 1}\n`);
    expect(rendered).toContain(`… (${100 - TOOL_RESULT_LIMIT.lines} more lines not shown)`);
  });

  it("says so when the session is empty", () => {
    expect(renderSession("\n\n")).toBe("_The agent's session is empty._\n");
  });
});

describe("truncate", () => {
  const limit = { lines: 3, chars: 10 };
  const cases: { behaviour: string; text: string; expected: string }[] = [
    { behaviour: "short text is kept whole", text: "a\nb\nc", expected: "a\nb\nc" },
    { behaviour: "extra lines are counted", text: "a\nb\nc\nd\ne", expected: "a\nb\nc\n… (2 more lines not shown)" },
    { behaviour: "one long line is cut at the character limit", text: "x".repeat(25), expected: `${"x".repeat(10)}\n… (15 more characters not shown)` },
  ];
  it.each(cases)("$behaviour", ({ text, expected }) => {
    expect(truncate(text, limit)).toBe(expected);
  });
});
