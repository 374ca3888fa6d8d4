/** The edge's settings: the load balancer, its domain and its web ACL. Each default is written here once. */
import { Fields } from '../shared/known-fields';

export interface LoadBalancerSettings {
  /** ACM certificate ARN; with one, HTTPS serves and HTTP redirects. @default none (HTTP only) */
  readonly certificateArn?: string;
  /** CIDRs allowed to reach the listeners. @default ['0.0.0.0/0'] */
  readonly ingressCidrs?: readonly string[];
  /**
   * Below the keep-alive timeout of every service whose profile knows it (spring-boot: 75 s), or the
   * ALB sends requests on connections the app has just closed (502). @default 60
   */
  readonly idleTimeoutSeconds?: number;
  /** ALB deletion protection. @default false */
  readonly deletionProtection?: boolean;
  /** Write access logs to an S3 bucket the stack creates. @default false */
  readonly accessLogs?: boolean;
  /** Days before access log objects expire. @default 90 */
  readonly accessLogExpirationDays?: number;
  /**
   * Path patterns the listener answers with its JSON 404 whatever the services route, so the
   * internet never reaches them; ALB health checks go to the targets directly and still do. At
   * most 5; `[]` for none. The rule takes listener priority 1. @default ['/actuator*']
   */
  readonly blockedPaths?: readonly string[];
  /**
   * Your account's "Rules per Application Load Balancer" quota (default rules not counted): after
   * Service Quotas raised it, set the new value here. @default 100
   */
  readonly rulesQuota?: number;
}

/** A Route 53 name for the ALB, with an ACM certificate validated through the same zone. */
export interface DomainSettings {
  /** The public hosted zone, found by name (a data source). Exactly one of zoneName and zoneId. @default none */
  readonly zoneName?: string;
  /** The public hosted zone's id, e.g. `Z0123456789ABCDEFGHIJ`. @default none */
  readonly zoneId?: string;
  /** The name clients use: the zone apex or a name inside it, e.g. `app.example.com`. */
  readonly recordName: string;
}

/** An AWS WAF web ACL on the ALB. */
export interface WafSettings {
  /** A web ACL on the ALB: a rate limit, IP reputation, the common rule set and known bad inputs. @default false */
  readonly enabled?: boolean;
  /** Requests one client IP may send in 5 minutes before it is blocked, 10-2,000,000,000. @default 2000 */
  readonly rateLimit?: number;
  /** Log every request's WAF verdict to a CloudWatch log group `aws-waf-logs-<namePrefix>`. @default false */
  readonly logging?: boolean;
}

/** What an environment may set about its edge. */
export interface EdgeSettings {
  readonly loadBalancer?: LoadBalancerSettings;
  /**
   * A production environment must serve HTTPS (a `domain` or `loadBalancer.certificateArn`) unless it
   * sets `allowPlainHttp`; the policy suite holds it to the production rules. @default false
   */
  readonly production?: boolean;
  /** Serve the services over plain HTTP on port 80: only without a domain or certificate. @default false */
  readonly allowPlainHttp?: boolean;
  /** A DNS name and a DNS-validated certificate for the ALB; with `loadBalancer.certificateArn`, that certificate is used. @default none */
  readonly domain?: DomainSettings;
  readonly waf?: WafSettings;
}

/** The edge as constructs receive it: every field resolved. */
export interface EdgeConfig {
  readonly loadBalancer: Required<Omit<LoadBalancerSettings, 'certificateArn'>> & { readonly certificateArn?: string };
  readonly production: boolean;
  readonly allowPlainHttp: boolean;
  /** Exactly one of zoneName and zoneId; recordName without a trailing dot. */
  readonly domain?: DomainSettings;
  readonly waf: Required<WafSettings>;
}

/**
 * AWS's default quotas per Application Load Balancer: "Quotas for your Application Load Balancers",
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html
 * Only the rules quota can be raised; the others are fixed.
 */
export const ALB_QUOTAS = {
  /** "Rules per Application Load Balancer (excluding default rules)": adjustable. */
  rulesPerLoadBalancer: 100,
  /** "Target Groups per Application Load Balancer": not adjustable. */
  targetGroupsPerLoadBalancer: 100,
  /** "Listeners per Application Load Balancer": not adjustable. */
  listenersPerLoadBalancer: 50,
  /** "Condition values per rule". */
  conditionValuesPerRule: 5,
  /** "Condition wildcards per rule". */
  conditionWildcardsPerRule: 5,
} as const;

export const LOAD_BALANCER_DEFAULTS: EdgeConfig['loadBalancer'] = {
  ingressCidrs: ['0.0.0.0/0'],
  idleTimeoutSeconds: 60,
  deletionProtection: false,
  accessLogs: false,
  accessLogExpirationDays: 90,
  blockedPaths: ['/actuator*'],
  rulesQuota: ALB_QUOTAS.rulesPerLoadBalancer,
};
export const WAF_DEFAULTS: Required<WafSettings> = { enabled: false, rateLimit: 2000, logging: false };
export const EDGE_DEFAULTS = { production: false, allowPlainHttp: false } as const satisfies Partial<EdgeConfig>;

/** The listener priority of the blocked-paths rule: before every service's rule. */
export const BLOCKED_PATHS_PRIORITY = 1;

/** The edge's field names, for the unknown-field check (tsc fails when one is missing or extra). */
export const EDGE_FIELDS: Fields<EdgeSettings> = {
  loadBalancer: {
    certificateArn: true,
    ingressCidrs: true,
    idleTimeoutSeconds: true,
    deletionProtection: true,
    accessLogs: true,
    accessLogExpirationDays: true,
    blockedPaths: true,
    rulesQuota: true,
  },
  production: true,
  allowPlainHttp: true,
  domain: { zoneName: true, zoneId: true, recordName: true },
  waf: { enabled: true, rateLimit: true, logging: true },
};
