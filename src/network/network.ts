import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { FlowLogDestination, FlowLogTraffic, NatMode } from './settings';
import { FlowLogBucket } from './flow-log-bucket';
import { policyDocument, serviceTrustPolicy } from '../shared/iam';
import { NatInstance } from './nat-instance';
import { environmentNames, zoneNames } from '../shared/names';

export interface NetworkProps {
  /** Prefix for Name tags. */
  readonly namePrefix: string;
  readonly vpcCidr: string;
  /** Two or three AZs; one public and one private subnet is made in each. */
  readonly availabilityZones: readonly string[];
  /** One per AZ, in AZ order. */
  readonly publicSubnetCidrs: readonly string[];
  /** One per AZ, in AZ order. */
  readonly privateSubnetCidrs: readonly string[];
  /** Defaulted by the resolver (`natMode`). */
  readonly natMode: NatMode;
  /** The NAT instance's type; required when natMode is 'instance'. */
  readonly natInstanceType?: string;
  /** The NAT instance's pinned AMI. @default the latest Amazon Linux 2023 arm64 (NatInstanceProps.amiId) */
  readonly natInstanceAmiId?: string;
  /** Tags for what the NAT instance's launches create (NatInstanceProps.instanceTags). @default only Name */
  readonly natInstanceTags?: Readonly<Record<string, string>>;
  /** Where flow logs go and what they record; the resolver defaults both. @default no flow logs */
  readonly flowLogs?: false | FlowLogOptions;
  /** Retention of the flow log group or bucket. Defaulted by the resolver (`logRetentionDays`). */
  readonly logRetentionDays: number;
  /**
   * A free S3 gateway endpoint on the private route tables. ECR image layers come from S3, so
   * pulls skip the NAT gateway's per-GB charge. Needs the region to name the service.
   * @default no endpoint
   */
  readonly s3GatewayEndpointRegion?: string;
}

export interface FlowLogOptions {
  readonly destination: FlowLogDestination;
  readonly trafficType: FlowLogTraffic;
}

/** One subnet of the VPC, with its AZ. */
export interface NetworkSubnet {
  readonly availabilityZone: string;
  readonly subnet: Subnet;
}

/**
 * A VPC across 2-3 AZs: public subnets behind an internet gateway, private subnets that reach
 * out through NAT gateways (one per AZ, or a single one), and optional flow logs.
 */
export class Network extends Construct {
  public readonly vpc: Vpc;
  public readonly availabilityZones: readonly string[];
  public readonly publicSubnets: readonly NetworkSubnet[];
  public readonly privateSubnets: readonly NetworkSubnet[];
  /** None when natMode is 'instance'. */
  public readonly natGateways: readonly NatGateway[];
  /** Set when natMode is 'instance'. */
  public readonly natInstance?: NatInstance;
  public readonly privateRouteTables: readonly RouteTable[];
  /** Set when flow logs are on. */
  public readonly flowLog?: FlowLog;
  /** Set when flow logs go to S3. */
  public readonly flowLogBucket?: FlowLogBucket;
  /** Set when the S3 gateway endpoint is on. */
  public readonly s3Endpoint?: VpcEndpoint;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    this.availabilityZones = props.availabilityZones;
    this.vpc = this.createVpc(props.namePrefix, props.vpcCidr);
    const { igw, publicRoutes } = this.createPublicRouting(props.namePrefix);
    this.publicSubnets = this.createPublicSubnets(props, publicRoutes);
    if (props.natMode === 'instance') this.natInstance = this.createNatInstance(props, igw);
    this.natGateways = this.createNatGateways(props, igw);
    const privateRouteTables: RouteTable[] = [];
    this.privateSubnets = this.createPrivateSubnets(props, privateRouteTables);
    this.privateRouteTables = privateRouteTables;
    if (props.s3GatewayEndpointRegion) this.s3Endpoint = this.createS3Endpoint(props, props.s3GatewayEndpointRegion);
    if (props.flowLogs) {
      const { flowLog, bucket } = this.createFlowLogs(props.namePrefix, props.flowLogs, props.logRetentionDays);
      this.flowLog = flowLog;
      this.flowLogBucket = bucket;
    }
  }

  private createVpc(namePrefix: string, cidrBlock: string): Vpc {
    const vpc = new Vpc(this, 'vpc', {
      cidrBlock,
      enableDnsSupport: true,
      enableDnsHostnames: true,
      tags: { Name: environmentNames(namePrefix).vpc },
    });
    // Adopt the default security group with no rules, so nothing can fall back on its allow-all (CKV2_AWS_12).
    new DefaultSecurityGroup(this, 'default-sg', {
      vpcId: vpc.id,
      tags: { Name: environmentNames(namePrefix).defaultSecurityGroup },
    });
    return vpc;
  }

  private createPublicRouting(namePrefix: string): { igw: InternetGateway; publicRoutes: RouteTable } {
    const igw = new InternetGateway(this, 'igw', { vpcId: this.vpc.id, tags: { Name: environmentNames(namePrefix).internetGateway } });
    const publicRoutes = new RouteTable(this, 'public-rt', {
      vpcId: this.vpc.id,
      tags: { Name: environmentNames(namePrefix).publicRouteTable },
    });
    new Route(this, 'public-default-route', {
      routeTableId: publicRoutes.id,
      destinationCidrBlock: '0.0.0.0/0',
      gatewayId: igw.id,
    });
    return { igw, publicRoutes };
  }

  private createPublicSubnets(props: NetworkProps, publicRoutes: RouteTable): NetworkSubnet[] {
    return props.availabilityZones.map((az, i) => {
      const subnet = new Subnet(this, `public-${az}`, {
        vpcId: this.vpc.id,
        availabilityZone: az,
        cidrBlock: props.publicSubnetCidrs[i],
        // Only the ALB and NAT (gateways or instance) live here, and each brings its own addresses.
        mapPublicIpOnLaunch: false,
        tags: { Name: zoneNames(props.namePrefix, az).publicSubnet, Tier: 'public' },
      });
      new RouteTableAssociation(this, `public-${az}-rta`, { subnetId: subnet.id, routeTableId: publicRoutes.id });
      return { availabilityZone: az, subnet };
    });
  }

  private createNatInstance(props: NetworkProps, igw: InternetGateway): NatInstance {
    if (!props.natInstanceType) throw new Error('Network: natMode "instance" needs natInstanceType');
    return new NatInstance(this, 'nat-instance', {
      namePrefix: props.namePrefix,
      vpc: this.vpc,
      subnet: this.publicSubnets[0].subnet,
      internetGateway: igw,
      sourceCidrs: props.privateSubnetCidrs,
      instanceType: props.natInstanceType,
      amiId: props.natInstanceAmiId,
      instanceTags: props.natInstanceTags,
    });
  }

  /** One per AZ, one in the first AZ, or none (the NAT instance routes instead). */
  private createNatGateways(props: NetworkProps, igw: InternetGateway): NatGateway[] {
    const azs = props.availabilityZones;
    const natAzs = { 'per-az': azs, single: azs.slice(0, 1), instance: [] }[props.natMode];
    return natAzs.map((az, i) => {
      const eip = new Eip(this, `nat-eip-${az}`, {
        domain: 'vpc',
        tags: { Name: zoneNames(props.namePrefix, az).natGateway },
        dependsOn: [igw],
      });
      return new NatGateway(this, `nat-${az}`, {
        allocationId: eip.allocationId,
        subnetId: this.publicSubnets[i].subnet.id,
        tags: { Name: zoneNames(props.namePrefix, az).natGateway },
        dependsOn: [igw],
      });
    });
  }

  /** One route table per private subnet, so switching NAT mode only changes routes; the tables go into `tables`. */
  private createPrivateSubnets(props: NetworkProps, tables: RouteTable[]): NetworkSubnet[] {
    return props.availabilityZones.map((az, i) => {
      const subnet = new Subnet(this, `private-${az}`, {
        vpcId: this.vpc.id,
        availabilityZone: az,
        cidrBlock: props.privateSubnetCidrs[i],
        mapPublicIpOnLaunch: false,
        tags: { Name: zoneNames(props.namePrefix, az).privateSubnet, Tier: 'private' },
      });
      const table = new RouteTable(this, `private-${az}-rt`, {
        vpcId: this.vpc.id,
        tags: { Name: zoneNames(props.namePrefix, az).privateSubnet },
      });
      new RouteTableAssociation(this, `private-${az}-rta`, { subnetId: subnet.id, routeTableId: table.id });
      new Route(this, `private-${az}-default-route`, {
        routeTableId: table.id,
        destinationCidrBlock: '0.0.0.0/0',
        ...(this.natInstance
          ? { networkInterfaceId: this.natInstance.networkInterface.id }
          : { natGatewayId: this.natGateways[props.natMode === 'per-az' ? i : 0].id }),
      });
      tables.push(table);
      return { availabilityZone: az, subnet };
    });
  }

  private createS3Endpoint(props: NetworkProps, region: string): VpcEndpoint {
    return new VpcEndpoint(this, 's3-endpoint', {
      vpcId: this.vpc.id,
      serviceName: `com.amazonaws.${region}.s3`,
      vpcEndpointType: 'Gateway',
      routeTableIds: this.privateRouteTables.map((t) => t.id),
      tags: { Name: environmentNames(props.namePrefix).s3Endpoint },
    });
  }

  private createFlowLogs(
    namePrefix: string,
    options: FlowLogOptions,
    retentionInDays: number,
  ): { flowLog: FlowLog; bucket?: FlowLogBucket } {
    if (options.destination !== 's3') return { flowLog: this.addFlowLogs(namePrefix, retentionInDays, options.trafficType) };
    const bucket = new FlowLogBucket(this, 'flow-log-bucket', {
      namePrefix: environmentNames(namePrefix).flowLogBucketPrefix,
      expirationDays: retentionInDays,
    });
    return { flowLog: this.addFlowLogsToS3(namePrefix, options.trafficType, bucket), bucket };
  }

  /** Half the delivery price of CloudWatch Logs; read with Athena or S3 Select. */
  private addFlowLogsToS3(namePrefix: string, trafficType: FlowLogTraffic, bucket: FlowLogBucket): FlowLog {
    return new FlowLog(this, 'flow-log', {
      vpcId: this.vpc.id,
      trafficType,
      logDestinationType: 's3',
      logDestination: bucket.bucket.arn,
      // Ten-minute objects: fewer, larger files for the same bytes.
      maxAggregationInterval: 600,
      tags: { Name: environmentNames(namePrefix).flowLogs },
      dependsOn: [bucket.policy],
    });
  }

  private addFlowLogs(namePrefix: string, retentionInDays: number, trafficType: FlowLogTraffic): FlowLog {
    const group = new CloudwatchLogGroup(this, 'flow-log-group', {
      name: environmentNames(namePrefix).flowLogGroup,
      retentionInDays,
    });
    const role = new IamRole(this, 'flow-log-role', {
      name: environmentNames(namePrefix).flowLogRole,
      assumeRolePolicy: serviceTrustPolicy('vpc-flow-logs.amazonaws.com'),
    });
    // Scoped to this one log group: the delivery service needs nothing else.
    new IamRolePolicy(this, 'flow-log-policy', {
      role: role.id,
      policy: policyDocument({
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        Resource: `${group.arn}:*`,
      }),
    });
    return new FlowLog(this, 'flow-log', {
      vpcId: this.vpc.id,
      trafficType,
      logDestinationType: 'cloud-watch-logs',
      logDestination: group.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: 60,
      tags: { Name: environmentNames(namePrefix).flowLogs },
    });
  }
}
