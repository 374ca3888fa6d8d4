/**
 * Defaults and validation of the HTTPS-related settings: `production`, `allowPlainHttp`, `domain`,
 * `waf` and `loadBalancer.blockedPaths`. Called by resolveEnvironment.
 */
import { DomainSettings, EnvironmentConfig, EnvironmentSettings, ServiceConfig } from './config';
import { PATH_PATTERN } from '../services/resolve';
import { Validator } from '../shared/validator';

/** The listener priority of the blocked-paths rule: before every service's rule. */
export const BLOCKED_PATHS_PRIORITY = 1;
/** Values one listener rule condition may hold. */
const MAX_BLOCKED_PATHS = 5;

/** Lowercase DNS name, no trailing dot, labels of 1-63 letters, digits and inner hyphens. */
const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
const ZONE_ID = /^Z[0-9A-Z]{1,31}$/;
/** ACM: the certificate's first domain name (its CN) is at most 64 characters. */
const MAX_CERTIFICATE_NAME = 64;
const RATE_LIMIT = { min: 10, max: 2_000_000_000 };

type HttpsConfig = Pick<EnvironmentConfig, 'production' | 'allowPlainHttp' | 'domain' | 'waf'>;

export function resolveHttps(v: Validator, s: EnvironmentSettings, certificateArn: string | undefined): HttpsConfig {
  const production = s.production ?? false;
  const allowPlainHttp = s.allowPlainHttp ?? false;
  v.check('production', production, typeof production === 'boolean', 'true or false');
  v.check('allowPlainHttp', allowPlainHttp, typeof allowPlainHttp === 'boolean', 'true or false');

  const domain = s.domain === undefined ? undefined : resolveDomain(v, s.domain, certificateArn === undefined);
  const https = domain !== undefined || certificateArn !== undefined;
  if (allowPlainHttp) {
    v.check(
      'allowPlainHttp',
      allowPlainHttp,
      !https,
      'false or unset with a domain or loadBalancer.certificateArn (HTTP then redirects to HTTPS)',
    );
  }
  if (production) {
    v.check(
      'domain',
      s.domain,
      https || allowPlainHttp,
      'a domain or loadBalancer.certificateArn in a production environment, or allowPlainHttp: true',
    );
  }

  const w = s.waf ?? {};
  const waf = { enabled: w.enabled ?? false, rateLimit: w.rateLimit ?? 2000, logging: w.logging ?? false };
  v.integer(
    'waf.rateLimit',
    waf.rateLimit,
    RATE_LIMIT.min,
    RATE_LIMIT.max,
    `requests per 5 minutes per IP, a whole number from ${RATE_LIMIT.min} to ${RATE_LIMIT.max}`,
  );
  v.check('waf.logging', waf.logging, !waf.logging || waf.enabled, 'false or unset unless waf.enabled is true');
  return { production, allowPlainHttp, domain, waf };
}

function resolveDomain(v: Validator, d: DomainSettings, createsCertificate: boolean): DomainSettings {
  const { zoneName, zoneId, recordName } = d;
  v.check(
    'domain',
    { zoneName, zoneId },
    (zoneName === undefined) !== (zoneId === undefined),
    'exactly one of domain.zoneName and domain.zoneId',
  );
  if (zoneName !== undefined)
    v.check('domain.zoneName', zoneName, DNS_NAME.test(zoneName), 'a lowercase DNS name without a trailing dot, such as example.com');
  if (zoneId !== undefined)
    v.check('domain.zoneId', zoneId, ZONE_ID.test(zoneId), 'a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ');
  v.check(
    'domain.recordName',
    recordName,
    typeof recordName === 'string' && DNS_NAME.test(recordName),
    'a lowercase DNS name without a trailing dot or wildcard, such as app.example.com',
  );
  if (zoneName !== undefined) {
    v.check(
      'domain.recordName',
      recordName,
      recordName === zoneName || recordName.endsWith(`.${zoneName}`),
      `${zoneName} or a name inside it`,
    );
  }
  if (createsCertificate) {
    v.check(
      'domain.recordName',
      recordName,
      recordName.length <= MAX_CERTIFICATE_NAME,
      `at most ${MAX_CERTIFICATE_NAME} characters (an ACM certificate's first name)`,
    );
  }
  return zoneName !== undefined ? { zoneName, recordName } : { zoneId, recordName };
}

/** At most 5 path patterns, and no service rule may take their listener priority. */
export function checkBlockedPaths(v: Validator, paths: readonly string[], services: readonly ServiceConfig[]): void {
  v.check(
    'loadBalancer.blockedPaths',
    paths,
    paths.length <= MAX_BLOCKED_PATHS,
    `at most ${MAX_BLOCKED_PATHS} path patterns (one listener rule)`,
  );
  paths.forEach((p, i) =>
    v.check(
      `loadBalancer.blockedPaths[${i}]`,
      p,
      PATH_PATTERN.test(p),
      'a path pattern starting with "/", at most 128 characters, * and ? as wildcards',
    ),
  );
  if (paths.length === 0) return;
  for (const s of services) {
    v.check(
      `services.${s.name}.routing.priority`,
      s.routing.priority,
      s.routing.priority !== BLOCKED_PATHS_PRIORITY,
      `a priority other than ${BLOCKED_PATHS_PRIORITY} (the loadBalancer.blockedPaths rule has it)`,
    );
  }
}
