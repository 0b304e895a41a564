import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

/** Debian's Chromium (`apt-get install chromium`), which .ci/run installs. */
export const CHROMIUM = process.env.AUTOMATIONS_CHROMIUM ?? "/usr/bin/chromium";

/** Flags for a headless browser that talks to nothing but the pages under test. */
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

function onCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== "" && ci !== "0" && ci.toLowerCase() !== "false";
}

/** Browser tests skip only on a developer machine without Chromium; on CI a missing browser is a broken setup. */
export function shouldSkipBrowserTests(): boolean {
  if (existsSync(CHROMIUM)) return false;
  if (onCi()) throw new Error(`CI is set but ${CHROMIUM} is missing; .ci/run installs Debian's chromium package.`);
  return true;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
}
