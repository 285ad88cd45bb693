import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";

/**
 * Debian's chromium driven by playwright-core (Playwright's own browser
 * download is not possible here). Flags per MACHINE-NOTES: no sandbox as
 * root, and no background networking on a machine with no internet.
 */
export async function launchBrowser(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  // Playwright gives the browser a fresh, temporary profile of its own.
  return { browser, close: () => browser.close() };
}

/** A page that records console errors and failed requests, so tests can require none. */
export async function watchedPage(context: BrowserContext): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  // The suite runs attack tests (fork bombs, CPU spins) beside the browser on two cores: be patient.
  page.setDefaultTimeout(90_000);
  page.setDefaultNavigationTimeout(90_000);
  const problems: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console: ${msg.text()}`);
  });
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("response", (res) => {
    if (res.status() >= 400) problems.push(`response: ${res.status()} ${new URL(res.url()).pathname}`);
  });
  return { page, problems };
}

/** One browser for a test file: launched before its tests, closed after. */
export function useBrowser(): () => Browser {
  let launched: Awaited<ReturnType<typeof launchBrowser>> | undefined;
  beforeAll(async () => {
    launched = await launchBrowser();
  });
  afterAll(async () => {
    await launched?.close();
  });
  return () => launched!.browser;
}
