// The reference site's config module, as a user's app has one: `tessera --config
// site/tessera.config.ts <command>` migrates the site's tables and serves it (see README).
import { loadConfig, type Tessera } from 'tessera';
import { buildSite } from './src/app.ts';
import { loadSiteConfig } from './src/site-config.ts';
import { createSiteTessera } from './src/site-tessera.ts';

// Read first, so that a bad SITE_NOTICE stops the start as a bad tessera setting does.
const site = loadSiteConfig();

export default createSiteTessera(loadConfig());

/** The server `tessera serve` runs. */
export function app(tessera: Tessera) {
  return buildSite(tessera, { notice: site.notice });
}
