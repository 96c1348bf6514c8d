// The language a page is shown in: the lang cookie, else the first of ko/en in Accept-Language, else English.
import type { FastifyRequest } from 'fastify';
import { langCookie } from './cookies.ts';
import { chooseLanguage, translator, type Lang, type Translate } from './i18n/index.ts';

declare module 'fastify' {
  interface FastifyRequest {
    lang: Lang;
    t: Translate;
  }
}

const langInCookieHeader = new RegExp(`(?:^|;)\\s*${langCookie.name}=([^;]*)`);

/** Sets `request.lang` and `request.t`, the translator every page and error message uses. */
export function resolveLanguage(request: FastifyRequest): void {
  // Cookies are not parsed when the router rejects a URL (no plugin ran): read the header then.
  const cookie = request.cookies ? request.cookies[langCookie.name] : langInCookieHeader.exec(request.headers.cookie ?? '')?.[1]?.trim();
  request.lang = chooseLanguage(cookie, request.headers['accept-language']);
  request.t = translator(request.lang);
}
