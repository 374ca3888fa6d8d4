/** The edge's settings: the load balancer, its domain and its web ACL. */

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
  /** @default false (true in prod) */
  readonly deletionProtection?: boolean;
  /** Write access logs to an S3 bucket the stack creates. @default false (true in prod) */
  readonly accessLogs?: boolean;
  /** Days before access log objects expire. @default 90 */
  readonly accessLogExpirationDays?: number;
  /**
   * Path patterns the listener answers with its JSON 404 whatever the services route, so the
   * internet never reaches them; ALB health checks go to the targets directly and still do. At
   * most 5; `[]` for none. The rule takes listener priority 1. @default ['/actuator*']
   */
  readonly blockedPaths?: readonly string[];
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
  /** @default false (true in prod) */
  readonly enabled?: boolean;
  /** Requests one client IP may send in 5 minutes before it is blocked, 10-2,000,000,000. @default 2000 */
  readonly rateLimit?: number;
  /** Log every request's WAF verdict to a CloudWatch log group `aws-waf-logs-<namePrefix>`. @default false */
  readonly logging?: boolean;
}
