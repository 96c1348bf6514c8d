// The shared page values the page tests render with: an anonymous English visitor, a fixed token.
import { translator } from '../../src/i18n/index.ts';
import type { PageShared } from '../../src/pages/page-context.ts';

export const csrfStandIn = 'csrfstandin0123';

export function pageValues(overrides: Partial<PageShared> = {}): PageShared {
  return {
    lang: 'en',
    t: translator('en'),
    user: { isAuthenticated: false },
    csrf: csrfStandIn,
    path: '/',
    assets: { 'site.css': '/static/site.css' },
    flash: [],
    ...overrides,
  };
}
