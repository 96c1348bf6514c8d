// What every part of a page may read about the response it belongs to: the visitor's language,
// who they are, the form token, the path, the asset URLs and the one-time messages.
import { createContext, type VNode } from 'preact';
import type { Lang, Translate } from '../i18n/index.ts';

/** Only what the layout shows of a user, so the benchmark's peers can render it without tessera. */
export type PageUser = { isAuthenticated: false } | { isAuthenticated: true; username: string };

export interface PageShared {
  lang: Lang;
  t: Translate;
  user: PageUser;
  /** the value of every `_csrf` field: a stand-in the renderer swaps for a fresh masked token */
  csrf: string;
  /** the path asked for, without its query: where the language switch comes back to */
  path: string;
  /** content-hashed URLs of the static files, by file name */
  assets: Record<string, string>;
  flash: string[];
}

const PageContext = createContext<PageShared | null>(null);

export const PageProvider = PageContext.Provider;

/**
 * A component that reads the page's shared values: `render` gets them after its props.
 *
 * They come through `contextType`, which preact hands a function component as its second
 * argument, and not through `useContext`: importing preact/hooks makes every component of every
 * page pay for the hooks' bookkeeping (about 2.5 times the render, measured). A component used
 * outside a page (a cached fragment, which must not depend on who asks) has no values, and fails
 * loudly instead of rendering someone's data.
 *
 * @example
 * export const Greeting = withPage<{ greeting: string }>(({ greeting }, { user }) => (
 *   <p>{greeting}, {user.isAuthenticated ? user.username : 'guest'}</p>
 * ));
 */
export function withPage<P>(render: (props: P, page: PageShared) => VNode | null): (props: P) => VNode | null {
  const component = (props: P, page?: PageShared | null) => {
    if (page === undefined || page === null) throw new Error('a page component rendered outside a page: a fragment may depend on its props only');
    return render(props, page);
  };
  component.contextType = PageContext;
  return component;
}
