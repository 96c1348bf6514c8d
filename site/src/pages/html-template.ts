// A component rendered once with named holes, then filled per page: the site's own markup is
// computed once, and only the values that change are escaped and spliced in.
import { randomBytes } from 'node:crypto';
import type { VNode } from 'preact';
import { renderHtml } from './render-html.ts';

// Letters and digits only, so escaping leaves a marker whole; random, so no text can forge one.
const nonce = randomBytes(12).toString('hex');

/** The placeholder that stands for the hole `name` while the template is rendered. */
export function holeMarker(name: string): string {
  return `tesseraHole${name}${nonce}`;
}

/** Escaped as preact-render-to-string escapes text: `&`, `<` and `"`. */
function escapeText(value: string): string {
  return /["&<]/.test(value) ? value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('"', '&quot;') : value;
}

/** Escaped as an attribute value of the site's pages: text's three, and `>` (see render-html.ts). */
function escapeAttribute(value: string): string {
  return /["&<>]/.test(value) ? escapeText(value).replaceAll('>', '&gt;') : value;
}

/**
 * HTML with holes: `fill` writes each value where its marker was, escaped for where it stands
 * (inside a tag: an attribute value; elsewhere: text), so a filled template is byte for byte
 * what rendering the component with those values would have written (but that an empty
 * attribute is always `name=""`, where preact writes some bare: the same to a browser).
 */
export class HtmlTemplate<Hole extends string> {
  readonly #parts: string[] = [];
  readonly #holes: { name: Hole; escape: (value: string) => string }[] = [];

  /** `html` as rendered with every hole's marker for its value; each marker may appear any number of times. */
  constructor(html: string, names: readonly Hole[]) {
    const byMarker = new Map(names.map((name) => [holeMarker(name), name]));
    const pattern = new RegExp([...byMarker.keys()].join('|'), 'g');
    let from = 0;
    for (const match of html.matchAll(pattern)) {
      const before = html.slice(from, match.index);
      this.#parts.push(before);
      const upTo = html.slice(0, match.index);
      const inTag = upTo.lastIndexOf('<') > upTo.lastIndexOf('>');
      this.#holes.push({ name: byMarker.get(match[0])!, escape: inTag ? escapeAttribute : escapeText });
      from = match.index + match[0].length;
    }
    this.#parts.push(html.slice(from));
  }

  fill(values: Readonly<Record<Hole, string>>): string {
    let out = this.#parts[0]!;
    for (let i = 0; i < this.#holes.length; i += 1) {
      const hole = this.#holes[i]!;
      out += hole.escape(values[hole.name]) + this.#parts[i + 1]!;
    }
    return out;
  }
}

/** The component tree `node` (rendered with holeMarker(name) for each hole) as a template. */
export function htmlTemplate<Hole extends string>(node: VNode<any>, names: readonly Hole[]): HtmlTemplate<Hole> {
  return new HtmlTemplate(renderHtml(node), names);
}
