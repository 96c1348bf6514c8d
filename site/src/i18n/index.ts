// Chooses the visitor's language and translates message keys in it.
import { en, type MessageKey } from './en.ts';
import { ko } from './ko.ts';

export type Lang = 'en' | 'ko';
export type { MessageKey };
export const languages: readonly Lang[] = ['ko', 'en'];

const catalogues: Record<Lang, Record<MessageKey, string>> = { en, ko };

export function isLang(value: unknown): value is Lang {
  return value === 'en' || value === 'ko';
}

/** The lang cookie, else the first of ko/en in Accept-Language (by q), else en. */
export function chooseLanguage(cookie: string | undefined, acceptLanguage: string | undefined): Lang {
  if (isLang(cookie)) return cookie;
  if (!acceptLanguage) return 'en';
  const ranked = acceptLanguage
    .slice(0, 1000)
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const quality = q === undefined ? 1 : Number(q.slice(2));
      return { base: tag.toLowerCase().split('-')[0], quality: Number.isFinite(quality) ? quality : 0, index };
    })
    .filter((entry) => entry.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.index - b.index);
  const match = ranked.find((entry) => isLang(entry.base));
  return match && isLang(match.base) ? match.base : 'en';
}

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export function translator(lang: Lang): Translate {
  const catalogue = catalogues[lang];
  return (key, params) => {
    const text = catalogue[key];
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
  };
}

export function catalogue(lang: Lang): Record<MessageKey, string> {
  return catalogues[lang];
}
