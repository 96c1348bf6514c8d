// The one way raw HTML enters a page; every call is listed in site/test/pages/trusted-html-uses.test.ts.
import type { VNode } from 'preact';
import { jsxTemplate } from 'preact/jsx-runtime';

/**
 * `html` inserted as it is, with no wrapping element. Only for markup the site rendered itself
 * (a cached fragment): it is never escaped again, so a user's text must never reach it unrendered.
 * A template node is what preact's precompiling JSX transform makes of static markup, and what
 * preact-render-to-string writes out verbatim.
 */
export function trustedHtml(html: string): VNode {
  return jsxTemplate([html]);
}
