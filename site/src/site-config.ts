// The reference site's own settings from the environment: site policy, which tessera's core Config knows nothing of.
import { z } from 'zod';
import { TesseraError } from 'tessera';

const siteEnvironmentSchema = z.object({
  SITE_NOTICE: z.string().max(500).optional(),
});

export interface SiteConfig {
  /** the home page's notice (SITE_NOTICE); undefined shows the translated default, '' none */
  notice: string | undefined;
}

/** Reads and validates the site's settings; a bad value stops the start, as loadConfig does for tessera's. */
export function loadSiteConfig(environment: NodeJS.ProcessEnv = process.env): SiteConfig {
  const parsed = siteEnvironmentSchema.safeParse(environment);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new TesseraError('config_invalid', `invalid configuration: ${problems.join('; ')}`);
  }
  return { notice: parsed.data.SITE_NOTICE };
}
