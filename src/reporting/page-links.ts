import { paths } from "../web/format.js";

// Links from checks to the app's own pages (`details_url`), when a public URL is configured.

export interface PageLinks {
  action(actionId: string): string;
  run(runId: string): string;
}

export function pageLinks(publicUrl: string | undefined): PageLinks | null {
  if (!publicUrl) return null;
  const origin = publicUrl.replace(/\/+$/, "");
  return { action: (id) => `${origin}${paths.action(id)}`, run: (id) => `${origin}${paths.run(id)}` };
}
