// A component tree as the HTML string the site sends.
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';

/**
 * preact-render-to-string escapes `&`, `<` and `"` (every attribute is double-quoted), but leaves
 * `>` as it is. That is valid HTML, yet a value like `"><img …>` would then hold a bare `>` that
 * cuts any `<input[^>]*>` reader short (crawlers, the tests, the contract's outside checks), so
 * `>` inside an attribute becomes `&gt;`, as the site has always written it. A literal `="` opens
 * an attribute value and only there: text has its quotes escaped, so it never holds one.
 */
const attributeWithGreaterThan = /="([^"]*>[^"]*)"/g;

/**
 * preact writes an empty value as a bare `value`, which browsers read as empty but which a reader
 * looking for `value="…"` (a crawler, a test, an outside check) misses: the form's own empty
 * fields are written `value=""`, as the site always wrote them. Only inside a form control's tag,
 * so text that happens to say "value" is left alone; run after the `>` above is escaped, so a
 * tag ends at its first `>`.
 */
const bareValue = /(<(?:input|option|button|textarea|select)\b[^<>]*?) value(?=[\s/>])/g;

export function renderHtml<P>(node: VNode<P>): string {
  return renderToString(node)
    .replace(attributeWithGreaterThan, (_whole, value: string) => `="${value.replaceAll('>', '&gt;')}"`)
    .replace(bareValue, '$1 value=""');
}
