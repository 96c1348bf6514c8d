// Real Chromium for the end-to-end tests: Debian's build, driven by playwright-core, and screenshots of every page.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const chromiumPath = '/usr/bin/chromium';

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where the screenshots go; git-ignored (test-artifacts/). */
export const screenshotDirectory = fileURLToPath(new URL('../../test-artifacts/e2e/', import.meta.url));

/**
 * Launches headless Chromium with a fresh temporary profile (playwright makes and removes it),
 * or returns null when Chromium is not installed: the caller then calls skipOrFail.
 */
export async function launchChromium(): Promise<Browser | null> {
  if (!existsSync(chromiumPath)) return null;
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs,
    timeout: 30_000,
  });
}

export interface Screenshots {
  /** Saves a full-page screenshot as `<prefix><NN>-<name>.png`, NN counting up from 01; returns the path. */
  take(page: Page, name: string): Promise<string>;
}

/**
 * A numbered series of screenshots in test-artifacts/e2e (created if missing). A `prefix`
 * (e.g. "articles-") goes before the number, so that two suites' series never overwrite each other.
 */
export function screenshots(directory = screenshotDirectory, prefix = ''): Screenshots {
  mkdirSync(directory, { recursive: true });
  let count = 0;
  return {
    async take(page, name) {
      count += 1;
      const safeName = name.replace(/[^A-Za-z0-9._-]+/g, '-');
      const path = join(directory, `${prefix}${String(count).padStart(2, '0')}-${safeName}.png`);
      await page.screenshot({ path, fullPage: true, timeout: 10_000 });
      return path;
    },
  };
}

export interface CheckedContext {
  context: BrowserContext;
  page: Page;
  /** what the page's console complained about; a test expects it to stay empty */
  problems: string[];
}

/** A new context with bounded waits, and a record of what the page's console complained about. */
export async function newCheckedContext(browser: Browser, timeoutMs: number, options: { locale?: string; viewport?: { width: number; height: number } } = {}): Promise<CheckedContext> {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(timeoutMs);
  context.setDefaultNavigationTimeout(timeoutMs);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    // A 4xx page (422 form, 403) is reported as a failed load; that is the contract, not a problem.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(message.text());
  });
  return { context, page, problems };
}
