/** The network's settings: the VPC, its subnets, NAT and flow logs. Each default is written here once. */
import { Fields } from '../shared/known-fields';

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

/**
 * Graviton types a NAT instance may use, with their baseline network bandwidth in Mbit/s (all burst
 * to 5 Gbit/s for a while; source: the EC2 network performance table for general purpose instances).
 */
export const NAT_INSTANCE_TYPES: Readonly<Record<string, { readonly baselineMbps: number }>> = {
  't4g.nano': { baselineMbps: 32 },
  't4g.micro': { baselineMbps: 64 },
  't4g.small': { baselineMbps: 128 },
  't4g.medium': { baselineMbps: 256 },
};

/** Where VPC flow logs go: CloudWatch Logs, or an S3 bucket the stack creates (half the delivery price, no query console). */
export type FlowLogDestination = 'cloud-watch-logs' | 's3';
export const FLOW_LOG_DESTINATIONS: readonly FlowLogDestination[] = ['cloud-watch-logs', 's3'];
/** Which flows are logged; REJECT-only is a fraction of ALL. */
export type FlowLogTraffic = 'ALL' | 'ACCEPT' | 'REJECT';
export const FLOW_LOG_TRAFFIC: readonly FlowLogTraffic[] = ['ALL', 'ACCEPT', 'REJECT'];

/** What an environment may set about its network. */
export interface NetworkSettings {
  /** Two or three AZs of the region. @default the region's a and b */
  readonly availabilityZones?: readonly string[];
  /** The VPC's IPv4 range, /16 to /24. @default '10.0.0.0/16' */
  readonly vpcCidr?: string;
  /** One per AZ, in AZ order. @default carved from the lower half of the VPC, one /20 per AZ for a /16 */
  readonly publicSubnetCidrs?: readonly string[];
  /** One per AZ, in AZ order. @default carved from the upper half of the VPC, one /20 per AZ for a /16 */
  readonly privateSubnetCidrs?: readonly string[];
  /** How private subnets reach the internet (NatMode). @default 'single' */
  readonly natMode?: NatMode;
  readonly natInstance?: NatInstanceSettings;
  /** VPC flow logs. @default false */
  readonly flowLogs?: boolean;
  /** Where flow logs go (FlowLogDestination). @default 'cloud-watch-logs' */
  readonly flowLogDestination?: FlowLogDestination;
  /** Which flows are logged (FlowLogTraffic). @default 'ALL' */
  readonly flowLogTraffic?: FlowLogTraffic;
}

/** The network as constructs receive it: every field resolved. */
export interface NetworkConfig {
  readonly availabilityZones: readonly string[];
  readonly vpcCidr: string;
  readonly publicSubnetCidrs: readonly string[];
  readonly privateSubnetCidrs: readonly string[];
  readonly natMode: NatMode;
  readonly natInstance: Required<Omit<NatInstanceSettings, 'amiId'>> & Pick<NatInstanceSettings, 'amiId'>;
  readonly flowLogs: boolean;
  readonly flowLogDestination: FlowLogDestination;
  readonly flowLogTraffic: FlowLogTraffic;
}

/** The network's fixed defaults; the AZs and subnets default from the region and the VPC (network/resolve.ts). */
export const NETWORK_DEFAULTS = {
  vpcCidr: '10.0.0.0/16',
  natMode: 'single',
  natInstanceType: 't4g.nano',
  flowLogs: false,
  flowLogDestination: 'cloud-watch-logs',
  flowLogTraffic: 'ALL',
} as const satisfies Record<string, unknown>;

/** The network's field names, for the unknown-field check (tsc fails when one is missing or extra). */
export const NETWORK_FIELDS: Fields<NetworkSettings> = {
  availabilityZones: true,
  vpcCidr: true,
  publicSubnetCidrs: true,
  privateSubnetCidrs: true,
  natMode: true,
  natInstance: { instanceType: true, amiId: true },
  flowLogs: true,
  flowLogDestination: true,
  flowLogTraffic: true,
};
