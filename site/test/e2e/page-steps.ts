// The steps and page checks every Chromium walk shares: following a link, submitting a form, and
// what the site promises that axe does not test.
import type { Locator, Page } from 'playwright-core';

/** A URL's path and query, as the site's links and redirects name pages. */
export function pathOf(url: string | URL): string {
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
}

/** Clicks a link and waits until the page at `path` (path and query, or a pattern of them) has loaded. */
export async function follow(page: Page, link: Locator, path: string | RegExp): Promise<void> {
  const matches = (url: URL) => (typeof path === 'string' ? pathOf(url) === path : path.test(pathOf(url)));
  await Promise.all([page.waitForURL(matches, { waitUntil: 'load' }), link.click()]);
}

/** Submits a form with its button; resolves to the POST's status once the next page has loaded. */
export async function submit(page: Page, button: Locator): Promise<number> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest() && r.frame() === page.mainFrame()),
    page.waitForEvent('load'),
    button.click(),
  ]);
  return response.status();
}

/**
 * What axe lets pass that the site promises all the same; [] if none. Exactly one h1 (axe asks for
 * at least one); no empty table header (axe rates it minor); no id twice (axe's rule is deprecated
 * and off); every id an aria-describedby names exists (axe is content with any one of them).
 */
export async function markupProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const text = (element: Element) => (element.textContent ?? '').replace(/\s+/g, ' ').trim();
    if (document.querySelectorAll('h1').length !== 1) problems.push(`${document.querySelectorAll('h1').length} h1 elements`);
    for (const th of document.querySelectorAll('th')) if (text(th) === '') problems.push('empty-table-header');
    const ids = [...document.querySelectorAll('[id]')].map((element) => element.id);
    for (const id of new Set(ids)) if (ids.filter((other) => other === id).length > 1) problems.push(`duplicate id ${id}`);
    for (const element of document.querySelectorAll('[aria-describedby]')) {
      for (const id of (element.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean)) {
        if (document.getElementById(id) === null) problems.push(`aria-describedby names a missing ${id}`);
      }
    }
    return problems;
  });
}

/**
 * Nothing on the page wider than the window, no table scrolling sideways, and every button inside
 * the window: reflow, which axe does not test. [] if none.
 */
export async function fitsWidth(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > width) problems.push(`page scrolls sideways: ${document.documentElement.scrollWidth} > ${width}`);
    for (const element of document.querySelectorAll('table, .sessions-wrap')) {
      if (element.scrollWidth > element.clientWidth + 1) problems.push(`${element.className} scrolls sideways`);
    }
    for (const button of document.querySelectorAll('button')) {
      const box = button.getBoundingClientRect();
      if (box.left < 0 || box.right > width) problems.push(`button "${button.textContent?.trim()}" outside the window`);
    }
    return problems;
  });
}
