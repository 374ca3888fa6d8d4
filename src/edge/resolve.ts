/** Applies the edge's defaults and validates its settings: the load balancer, HTTPS, the domain and the WAF. */
import { ALB_QUOTAS, DomainSettings, EDGE_DEFAULTS, EdgeConfig, EdgeSettings, LOAD_BALANCER_DEFAULTS, WAF_DEFAULTS } from './settings';
import { parseCidr } from '../shared/cidr';
import { withDefaults } from '../shared/defaults';
import { Validator } from '../shared/validator';

/** An ALB listener rule's path pattern: starts with "/", at most 128 characters, * and ? as wildcards. */
export const PATH_PATTERN = /^\/[A-Za-z0-9_\-.$\/~"'@:+&()!,;=*?%]{0,127}$/;

/** Lowercase DNS name, no trailing dot, labels of 1-63 letters, digits and inner hyphens. */
const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
const ZONE_ID = /^Z[0-9A-Z]{1,31}$/;
/** ACM: the certificate's first domain name (its CN) is at most 64 characters. */
const MAX_CERTIFICATE_NAME = 64;
const RATE_LIMIT = { min: 10, max: 2_000_000_000 };

export function resolveEdge(v: Validator, s: EdgeSettings, region: string): EdgeConfig {
  const loadBalancer = resolveLoadBalancer(v, s, region);
  const production = s.production ?? EDGE_DEFAULTS.production;
  const allowPlainHttp = s.allowPlainHttp ?? EDGE_DEFAULTS.allowPlainHttp;
  v.check('production', production, typeof production === 'boolean', 'true or false');
  v.check('allowPlainHttp', allowPlainHttp, typeof allowPlainHttp === 'boolean', 'true or false');

  const certificateArn = loadBalancer.certificateArn;
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
  return { loadBalancer, production, allowPlainHttp, domain, waf: resolveWaf(v, s) };
}

function resolveLoadBalancer(v: Validator, s: EdgeSettings, region: string): EdgeConfig['loadBalancer'] {
  const loadBalancer = { certificateArn: s.loadBalancer?.certificateArn, ...withDefaults(LOAD_BALANCER_DEFAULTS, s.loadBalancer) };
  if (loadBalancer.certificateArn !== undefined) {
    const arn = new RegExp(`^arn:aws[a-z-]*:acm:${region}:\\d{12}:certificate/[0-9a-f-]{36}$`);
    v.check(
      'loadBalancer.certificateArn',
      loadBalancer.certificateArn,
      arn.test(loadBalancer.certificateArn),
      `an ACM certificate ARN in ${region}`,
    );
  }
  v.check('loadBalancer.ingressCidrs', loadBalancer.ingressCidrs, loadBalancer.ingressCidrs.length > 0, 'at least one CIDR');
  loadBalancer.ingressCidrs.forEach((c, i) =>
    v.check(`loadBalancer.ingressCidrs[${i}]`, c, parseCidr(c) !== undefined, 'an IPv4 network CIDR such as 0.0.0.0/0'),
  );
  v.integer('loadBalancer.idleTimeoutSeconds', loadBalancer.idleTimeoutSeconds, 1, 4000);
  v.integer('loadBalancer.accessLogExpirationDays', loadBalancer.accessLogExpirationDays, 1, 3650);
  v.integer(
    'loadBalancer.rulesQuota',
    loadBalancer.rulesQuota,
    ALB_QUOTAS.rulesPerLoadBalancer,
    10_000,
    `your account's raised quota, at least the default ${ALB_QUOTAS.rulesPerLoadBalancer}`,
  );
  checkBlockedPathPatterns(v, loadBalancer.blockedPaths);
  return loadBalancer;
}

/** The listener rules the edge puts on the ALB itself, beside the services': the blocked paths' rule. */
export function edgeRuleCount(loadBalancer: EdgeConfig['loadBalancer']): number {
  return loadBalancer.blockedPaths.length > 0 ? 1 : 0;
}

/** Wildcards (`*`, `?`) in a rule's condition values; AWS allows ALB_QUOTAS.conditionWildcardsPerRule. */
export function wildcardCount(values: readonly string[]): number {
  return values.reduce((n, value) => n + (value.match(/[*?]/g)?.length ?? 0), 0);
}

/** At most one listener rule condition's worth of path patterns. */
function checkBlockedPathPatterns(v: Validator, paths: readonly string[]): void {
  v.check(
    'loadBalancer.blockedPaths',
    paths,
    paths.length <= ALB_QUOTAS.conditionValuesPerRule,
    `at most ${ALB_QUOTAS.conditionValuesPerRule} path patterns (one listener rule)`,
  );
  paths.forEach((p, i) =>
    v.check(
      `loadBalancer.blockedPaths[${i}]`,
      p,
      PATH_PATTERN.test(p),
      'a path pattern starting with "/", at most 128 characters, * and ? as wildcards',
    ),
  );
}

function resolveWaf(v: Validator, s: EdgeSettings): EdgeConfig['waf'] {
  const waf = withDefaults(WAF_DEFAULTS, s.waf);
  v.integer(
    'waf.rateLimit',
    waf.rateLimit,
    RATE_LIMIT.min,
    RATE_LIMIT.max,
    `requests per 5 minutes per IP, a whole number from ${RATE_LIMIT.min} to ${RATE_LIMIT.max}`,
  );
  v.check('waf.logging', waf.logging, !waf.logging || waf.enabled, 'false or unset unless waf.enabled is true');
  return waf;
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
