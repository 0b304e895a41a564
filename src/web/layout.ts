import { html, type Html } from "./html.js";
import { base, paths } from "./format.js";

export interface Viewer {
  login: string;
  csrf: string;
}

/** The page around every page's content: title, navigation, who is signed in. */
export function layout(options: { title: string; viewer: Viewer | null; body: Html; live?: boolean }): Html {
  const { title, viewer, body } = options;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Automations</title>
<link rel="stylesheet" href="${base}/assets/style.css">
${options.live ? html`<script src="${base}/assets/live.js" defer></script>` : ""}
</head>
<body>
<header class="top">
  <a class="brand" href="${paths.runs()}">Automations</a>
  <nav><a href="${paths.runs()}">Runs</a></nav>
  ${
    viewer
      ? html`<form class="who" method="post" action="${base}/sign-out">
          <span>@${viewer.login}</span>
          ${csrfField(viewer)}
          <button type="submit" class="link">Sign out</button>
        </form>`
      : ""
  }
</header>
<main>
${body}
</main>
</body>
</html>`;
}

export function csrfField(viewer: Viewer): Html {
  return html`<input type="hidden" name="_csrf" value="${viewer.csrf}">`;
}

/** A page that says what went wrong and what to do. */
export function messagePage(title: string, viewer: Viewer | null, message: Html | string): Html {
  return layout({ title, viewer, body: html`<h1>${title}</h1><p class="message">${message}</p>` });
}
