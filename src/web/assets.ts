// The pages' stylesheet and their one script (live updates over Server-Sent Events), served as
// files so the Content-Security-Policy can forbid inline scripts.

export const stylesheet = `
:root { --fg:#1f2328; --muted:#656d76; --border:#d0d7de; --bg:#ffffff; --subtle:#f6f8fa; --link:#0969da;
  --done:#1a7f37; --failed:#cf222e; --stopped:#6e7781; --running:#bf8700; --pending:#8c959f; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color:var(--fg); background:var(--bg); }
a { color:var(--link); text-decoration:none; } a:hover { text-decoration:underline; }
header.top { display:flex; gap:24px; align-items:center; padding:10px 24px; background:#24292f; color:#fff; }
header.top a { color:#fff; } .brand { font-weight:600; font-size:16px; }
header.top nav { flex:1; } header.top .who { display:flex; gap:12px; align-items:center; margin:0; }
main { padding:16px 24px 48px; max-width:1280px; }
h1 { font-size:22px; margin:8px 0 4px; font-weight:600; } h2 { font-size:17px; margin:24px 0 8px; font-weight:600; }
.muted { color:var(--muted); } .message { font-size:15px; }
table { border-collapse:collapse; width:100%; margin:8px 0; }
th, td { text-align:left; padding:6px 10px; border-bottom:1px solid var(--border); vertical-align:top; }
th { background:var(--subtle); font-weight:600; font-size:13px; }
tr.hidden-target td { color:var(--muted); font-style:italic; }
.status { display:inline-block; padding:0 8px; border-radius:10px; font-size:12px; font-weight:600; color:#fff; background:var(--pending); }
.status-done { background:var(--done); } .status-failed { background:var(--failed); } .status-stopped, .status-skipped { background:var(--stopped); }
.status-running { background:var(--running); } .status-pending { background:var(--pending); }
.c-done { color:var(--done); } .c-failed { color:var(--failed); } .c-stopped { color:var(--stopped); } .c-running { color:var(--running); }
.summary { display:flex; flex-wrap:wrap; gap:8px 24px; margin:8px 0; padding:12px 16px; background:var(--subtle); border:1px solid var(--border); border-radius:6px; }
.summary div b { display:block; font-size:12px; color:var(--muted); font-weight:600; }
.buttons { display:flex; gap:8px; margin:8px 0; } form.inline { display:inline; margin:0; }
button { font:inherit; padding:4px 12px; border:1px solid var(--border); border-radius:6px; background:var(--subtle); cursor:pointer; }
button.danger { color:var(--failed); } button.primary { background:var(--done); color:#fff; border-color:var(--done); }
a.button { display:inline-block; padding:6px 16px; border-radius:6px; border:1px solid var(--border); }
a.button.primary { background:var(--done); color:#fff; border-color:var(--done); font-weight:600; }
button.link { border:0; background:none; color:inherit; padding:0; text-decoration:underline; }
form.filters { display:flex; flex-wrap:wrap; gap:8px; align-items:end; margin:8px 0; }
form.filters label { display:flex; flex-direction:column; font-size:12px; color:var(--muted); }
input, select { font:inherit; padding:3px 6px; border:1px solid var(--border); border-radius:6px; }
.pager { display:flex; gap:16px; margin:12px 0; }
pre { margin:0; white-space:pre-wrap; word-break:break-word; }
pre.log { background:#0d1117; color:#e6edf3; padding:12px; border-radius:6px; font:12px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace; max-height:70vh; overflow:auto; }
pre.log .stderr { color:#ffa198; } pre.log .system { color:#8b949e; } pre.log .step-mark { color:#79c0ff; font-weight:600; }
pre.definition { background:var(--subtle); padding:12px; border:1px solid var(--border); border-radius:6px; font:12px/1.45 ui-monospace, monospace; }
.failure { border:1px solid var(--failed); border-left-width:4px; padding:8px 12px; border-radius:6px; background:#fff5f5; }
ol.session { list-style:none; padding:0; display:flex; flex-direction:column; gap:8px; }
ol.session li { border:1px solid var(--border); border-radius:8px; padding:8px 12px; max-width:900px; }
ol.session .who { font-size:12px; font-weight:600; color:var(--muted); text-transform:uppercase; }
ol.session .text { white-space:pre-wrap; }
ol.session .role-assistant { background:#f0f7ff; } ol.session .role-user { background:#fff8e6; margin-left:48px; }
ol.session .tool-call, ol.session .tool-result { background:var(--subtle); font-size:13px; }
ol.session .tool-result.error { border-color:var(--failed); }
ol.session pre { font:12px/1.45 ui-monospace, monospace; max-height:400px; overflow:auto; }
table.diff { table-layout:fixed; font:12px/1.45 ui-monospace, monospace; }
table.diff td { border:0; padding:0 8px; white-space:pre-wrap; word-break:break-word; }
table.diff .num { width:44px; color:var(--muted); text-align:right; user-select:none; }
table.diff tr.removed td.l, table.diff tr.changed td.l { background:#ffebe9; }
table.diff tr.added td.r, table.diff tr.changed td.r { background:#dafbe1; }
.changed-cell { background:#fff8c5; }
.ansi-bold { font-weight:700; } .ansi-dim { opacity:.7; } .ansi-italic { font-style:italic; } .ansi-underline { text-decoration:underline; } .ansi-strike { text-decoration:line-through; }
.ansi-black { color:#484f58; } .ansi-red { color:#ff7b72; } .ansi-green { color:#3fb950; } .ansi-yellow { color:#d29922; }
.ansi-blue { color:#58a6ff; } .ansi-magenta { color:#bc8cff; } .ansi-cyan { color:#39c5cf; } .ansi-white { color:#b1bac4; }
.ansi-bright-black { color:#6e7681; } .ansi-bright-red { color:#ffa198; } .ansi-bright-green { color:#56d364; } .ansi-bright-yellow { color:#e3b341; }
.ansi-bright-blue { color:#79c0ff; } .ansi-bright-magenta { color:#d2a8ff; } .ansi-bright-cyan { color:#56d4dd; } .ansi-bright-white { color:#f0f6fc; }
.ansi-black-bg { background:#484f58; } .ansi-red-bg { background:#ff7b72; } .ansi-green-bg { background:#3fb950; } .ansi-yellow-bg { background:#d29922; }
.ansi-blue-bg { background:#58a6ff; } .ansi-magenta-bg { background:#bc8cff; } .ansi-cyan-bg { background:#39c5cf; } .ansi-white-bg { background:#b1bac4; }
.live-dot { display:inline-block; width:8px; height:8px; border-radius:50%; background:var(--running); margin-right:6px; animation:pulse 1.2s infinite; }
@keyframes pulse { 50% { opacity:.3; } }
`;

/**
 * Elements with `data-live="<url>"` listen to that event stream: `replace` swaps an element's
 * content, `append` adds to it (following the end when the reader is there), `end` closes the
 * stream and, when asked, reloads the page once to show what only a finished page has.
 */
export const liveScript = `
(() => {
  for (const root of document.querySelectorAll("[data-live]")) {
    const source = new EventSource(root.dataset.live);
    source.addEventListener("replace", (event) => {
      const { target, html } = JSON.parse(event.data);
      const element = document.getElementById(target);
      if (element) element.innerHTML = html;
    });
    source.addEventListener("append", (event) => {
      const { target, html } = JSON.parse(event.data);
      const element = document.getElementById(target);
      if (!element) return;
      const following = element.scrollTop + element.clientHeight >= element.scrollHeight - 24;
      element.insertAdjacentHTML("beforeend", html);
      if (following) element.scrollTop = element.scrollHeight;
    });
    source.addEventListener("end", (event) => {
      source.close();
      document.body.dataset.liveEnded = "true";
      const { reload } = JSON.parse(event.data || "{}");
      if (reload) location.reload();
    });
  }
})();
`;
