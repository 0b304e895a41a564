import { describe, expect, it } from "vitest";
import { ansiToHtml, xterm256 } from "../../src/web/ansi-to-html.js";
import { sessionToHtml } from "../../src/web/session-to-html.js";
import { logChunksHtml } from "../../src/web/pages/action-page.js";
import type { LogChunkRow, StepRow } from "../../src/web/load-run.js";

describe("ANSI output on the pages", () => {
  const cases: { behaviour: string; input: string; html: string }[] = [
    { behaviour: "plain text is escaped", input: "<script>alert('x')</script> & \"q\"", html: "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;" },
    { behaviour: "a colour becomes a class", input: "\x1b[31mred\x1b[0m plain", html: '<span class="ansi-red">red</span> plain' },
    { behaviour: "text inside a colour is escaped too", input: "\x1b[32m<b>ok</b>\x1b[0m", html: '<span class="ansi-green">&lt;b&gt;ok&lt;/b&gt;</span>' },
    { behaviour: "bold and a background combine", input: "\x1b[1;41mX\x1b[0m", html: '<span class="ansi-red-bg ansi-bold">X</span>' },
    { behaviour: "bright colours keep their own class", input: "\x1b[91mE\x1b[0m", html: '<span class="ansi-bright-red">E</span>' },
    { behaviour: "256-colour palette entries become an inline colour", input: "\x1b[38;5;196mP\x1b[0m", html: '<span style="color:rgb(255,0,0)">P</span>' },
    { behaviour: "true colour becomes an inline rgb colour", input: "\x1b[38;2;10;20;30mT\x1b[0m", html: '<span style="color:rgb(10, 20, 30)">T</span>' },
    { behaviour: "cursor movement and line clearing are dropped", input: "a\x1b[2K\x1b[1Gb\x1b[?25l", html: "ab" },
    { behaviour: "terminal titles are dropped", input: "\x1b]0;title\x07text", html: "text" },
  ];
  it.each(cases)("$behaviour", ({ input, html }) => {
    expect(String(ansiToHtml(input))).toBe(html);
  });

  it("maps the xterm palette's cube and greys", () => {
    expect(xterm256(16)).toBe("rgb(0,0,0)");
    expect(xterm256(231)).toBe("rgb(255,255,255)");
    expect(xterm256(232)).toBe("rgb(8,8,8)");
    expect(xterm256(1)).toBe("#cd3131");
  });
});

describe("an action's log on the page", () => {
  const steps = [
    { index: 0, name: "Install" },
    { index: 1, name: "Test <unit>" },
  ] as StepRow[];
  const chunk = (id: number, stepIndex: number, content: string, stream: LogChunkRow["stream"] = "stdout") =>
    ({ id, actionId: "a", stepIndex, stream, content, createdAt: new Date() }) as LogChunkRow;

  it("marks where each step's output begins, with the step's name escaped", () => {
    const html = String(logChunksHtml([chunk(1, -1, "cloning\n", "system"), chunk(2, 0, "ok\n"), chunk(3, 1, "fail\n", "stderr")], steps, undefined));
    expect(html).toBe(
      '<span class="step-mark">▸ Automations</span>\n<span class="system">cloning\n</span>' +
        '<span class="step-mark">▸ Install</span>\n<span class="stdout">ok\n</span>' +
        '<span class="step-mark">▸ Test &lt;unit&gt;</span>\n<span class="stderr">fail\n</span>',
    );
  });

  it("continues a step without a new marker when more of its output arrives", () => {
    expect(String(logChunksHtml([chunk(4, 1, "more\n")], steps, 1))).toBe('<span class="stdout">more\n</span>');
  });

  it("starts a marker on its own line when the previous output ended mid-line", () => {
    expect(String(logChunksHtml([chunk(1, 0, "no newline"), chunk(2, 1, "x")], steps, undefined))).toContain('no newline</span>\n<span class="step-mark">');
  });
});

describe("an agent session on the page", () => {
  it("shows messages by role, tool calls and results, all escaped", () => {
    const html = String(
      sessionToHtml(
        [
          { type: "message", role: "assistant", content: "I will edit <b>README</b>." },
          { type: "tool_call", name: "edit_file", input: { path: "README.md" } },
          { type: "tool_result", name: "edit_file", output: "<ok>", is_error: true },
        ]
          .map((l) => JSON.stringify(l))
          .join("\n"),
      ),
    );
    expect(html).toContain('<li class="message role-assistant">');
    expect(html).toContain("I will edit &lt;b&gt;README&lt;/b&gt;.");
    expect(html).toContain("tool call <code>edit_file</code>");
    expect(html).toContain("&quot;path&quot;: &quot;README.md&quot;");
    expect(html).toContain('<li class="tool-result error">');
    expect(html).toContain("tool error <code>edit_file</code>");
    expect(html).toContain("&lt;ok&gt;");
    expect(html).not.toContain("<b>README</b>");
  });

  it("keeps lines it does not understand, escaped, instead of dropping them", () => {
    const html = String(sessionToHtml('not json <img src=x onerror=alert(1)>'));
    expect(html).toContain("unrecognised line");
    expect(html).toContain("not json &lt;img src=x onerror=alert(1)&gt;");
  });

  it("says so when the session is empty", () => {
    expect(String(sessionToHtml("\n\n"))).toContain("The agent's session is empty.");
  });

  it("styles unknown roles as other rather than trusting them as a class name", () => {
    expect(String(sessionToHtml(JSON.stringify({ role: 'x" onclick="y', content: "hi" })))).toContain('class="message role-other"');
  });
});
