// What every route module of the site is given.
import type { Tessera } from '../core/tessera.ts';
import type { PageRenderer } from './render.ts';

export interface SiteContext {
  tessera: Tessera;
  pages: PageRenderer;
}
