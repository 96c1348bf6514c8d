// axe-core run in a Playwright page: what it finds above minor, written out so a failed assertion says what and where.
import { createRequire } from 'node:module';
import type { AxeResults, ImpactValue, NodeResult, Result } from 'axe-core';
import type { Page } from 'playwright-core';

const axeSource = (createRequire(import.meta.url)('axe-core') as { source: string }).source;

/** Issue 9's bar, "no violation above minor": the impacts reported, least to most severe. */
const reportedImpacts: readonly ImpactValue[] = ['moderate', 'serious', 'critical'];
/** Enough places to find the fault; the count says how many more there are. */
const nodesShown = 3;
const htmlShown = 200;
/** The reason comes first; the rest lists every other way the rule could have passed. */
const reasonShown = 300;

/**
 * Runs axe-core's default rules (WCAG 2 A and AA, and best practice) on the page as it is now drawn,
 * at its current width (what is shown, and over what, changes with it), and resolves to one entry
 * for each rule it finds broken above minor impact: rule, impact, help, and the first elements with
 * their HTML and the reason. [] if none, so `assert.deepEqual(await axeViolations(page), [], where)`.
 * Rejects if axe has not finished within `timeoutMs` (10 s; it takes well under one on these pages).
 */
export async function axeViolations(page: Page, options: { timeoutMs?: number } = {}): Promise<string[]> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`axe did not finish on ${page.url()} within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const results = await Promise.race([run(page), timeout]);
    return results.violations.flatMap((violation) => {
      const nodes = violation.nodes.filter((node) => reportedImpacts.includes(node.impact ?? violation.impact ?? null));
      return nodes.length === 0 ? [] : [describe(violation, nodes)];
    });
  } finally {
    clearTimeout(timer);
  }
}

async function run(page: Page): Promise<AxeResults> {
  // The site's CSP ('script-src self') refuses an inline <script>, so addScriptTag cannot load axe;
  // DevTools' evaluation is not subject to it. Once per document: a resize keeps the same one.
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(axeSource);
  // Strings, not functions: what tsx compiles may call its __name helper, which the page lacks.
  return page.evaluate("window.axe.run(document, { resultTypes: ['violations'] })") as Promise<AxeResults>;
}

function describe(violation: Result, nodes: NodeResult[]): string {
  const impact = reportedImpacts[Math.max(...nodes.map((node) => reportedImpacts.indexOf(node.impact ?? violation.impact ?? null)))];
  const lines = [`${violation.id} (${impact}): ${violation.help}, ${nodes.length} element${nodes.length === 1 ? '' : 's'}`];
  for (const node of nodes.slice(0, nodesShown)) {
    lines.push(`  at ${node.target.map((selector) => JSON.stringify(selector)).join(' > ')}: ${shorten(node.html.replace(/\s+/g, ' '), htmlShown)}`);
    if (node.failureSummary) lines.push(`    ${shorten(node.failureSummary.replace(/\s+/g, ' ').trim(), reasonShown)}`);
  }
  if (nodes.length > nodesShown) lines.push(`  and ${nodes.length - nodesShown} more`);
  return lines.join('\n');
}

function shorten(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length)}…` : text;
}
