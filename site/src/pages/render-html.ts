// A component tree as the HTML string the site sends.
import { options, type VNode } from 'preact';
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
 * looking for `value="…"` (a crawler, a test, an outside check) misses: the site writes its empty
 * fields `value=""`, as it always has. preact writes a value that is not the empty string itself
 * as `value="…"` with the value's text, so an empty value is handed to it as this stand-in.
 */
const emptyValue: unknown = Object.freeze({ toString: () => '' });

/**
 * Set when an element is given an attribute holding `>`, and cleared by the render that follows:
 * only then is the page scanned for it. Scanning every page cost as much as rendering its form.
 * The site builds each tree inside the render that writes it out, so the two meet.
 */
let attributeHoldsGreaterThan = false;

// preact calls this for every element JSX creates, as it is created.
const previousHook = options.vnode;
options.vnode = (vnode) => {
  if (typeof vnode.type === 'string') {
    const props = vnode.props as Record<string, unknown>;
    for (const name in props) {
      const value = props[name];
      if (typeof value !== 'string' || name === 'children') continue;
      if (value === '') {
        // A textarea's value is its text, which preact takes from `value` as it is.
        if (name === 'value' && vnode.type !== 'textarea') props[name] = emptyValue;
      } else if (value.includes('>')) {
        attributeHoldsGreaterThan = true;
      }
    }
  }
  previousHook?.(vnode);
};

export function renderHtml<P>(node: VNode<P>): string {
  const html = renderToString(node);
  if (!attributeHoldsGreaterThan) return html;
  attributeHoldsGreaterThan = false;
  return html.replace(attributeWithGreaterThan, (_whole, value: string) => `="${value.replaceAll('>', '&gt;')}"`);
}
