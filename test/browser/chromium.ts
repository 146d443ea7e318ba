// The Chromium the browser tests drive: $OCTET_CHROMIUM, else Debian's
// /usr/bin/chromium, else the binary shipped inside the npm package
// @sparticuz/chromium (unpacked to the temp folder on first use), so
// `npm install && npm test` needs nothing but Node.
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

const SYSTEM_CHROMIUM = "/usr/bin/chromium";

export async function chromiumPath(): Promise<{ path: string; source: string }> {
  const fromEnv = process.env.OCTET_CHROMIUM;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`OCTET_CHROMIUM=${fromEnv}: no such file`);
    return { path: fromEnv, source: "$OCTET_CHROMIUM" };
  }
  if (existsSync(SYSTEM_CHROMIUM)) return { path: SYSTEM_CHROMIUM, source: "system" };
  const packaged = (await import("@sparticuz/chromium")).default;
  return { path: await packaged.executablePath(), source: "@sparticuz/chromium" };
}

/**
 * Plain headless arguments, not @sparticuz/chromium's serverless defaults
 * (those switch off site isolation, and with it crossOriginIsolated). The
 * network flags keep Chromium from calling out of this closed machine.
 */
const ARGS = [
  "--no-sandbox", "--headless=new", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

export async function launchChromium(): Promise<Browser> {
  const { path } = await chromiumPath();
  return chromium.launch({ executablePath: path, headless: true, args: ARGS });
}
