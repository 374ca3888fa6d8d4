/** The network's settings: NAT and flow logs. */

/**
 * `per-az`: a NAT gateway per AZ (survives an AZ outage); `single`: one NAT gateway; `instance`: one
 * NAT instance (see NatInstanceSettings), the cheapest and the least resilient.
 */
export type NatMode = 'per-az' | 'single' | 'instance';
export const NAT_MODES: readonly NatMode[] = ['per-az', 'single', 'instance'];

export interface NatInstanceSettings {
  /** Graviton type of the NAT instance (natMode 'instance'); one of NAT_INSTANCE_TYPES. @default 't4g.nano' */
  readonly instanceType?: string;
  /**
   * Pin the NAT instance's AMI (`ami-…`, arm64, in the region), as `amiId` does for the container
   * instances. @default none: the latest Amazon Linux 2023 arm64 AMI, read from its public SSM
   * parameter at every plan (and shown there)
   */
  readonly amiId?: string;
}

/** Where VPC flow logs go: CloudWatch Logs, or an S3 bucket the stack creates (half the delivery price, no query console). */
export type FlowLogDestination = 'cloud-watch-logs' | 's3';
export const FLOW_LOG_DESTINATIONS: readonly FlowLogDestination[] = ['cloud-watch-logs', 's3'];
/** Which flows are logged; REJECT-only is a fraction of ALL. */
export type FlowLogTraffic = 'ALL' | 'ACCEPT' | 'REJECT';
export const FLOW_LOG_TRAFFIC: readonly FlowLogTraffic[] = ['ALL', 'ACCEPT', 'REJECT'];
