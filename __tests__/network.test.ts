import { Testing } from 'cdktf';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { Route } from '@cdktf/provider-aws/lib/route';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { Network, NetworkProps } from '../src/network/network';
import { resourcesOf, synthJson } from './support/synth';
import { testConfig } from './support/fixtures';

const AZS = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
const base: NetworkProps = {
  namePrefix: 'hn-test',
  vpcCidr: '10.0.0.0/16',
  availabilityZones: AZS,
  publicSubnetCidrs: ['10.0.0.0/20', '10.0.16.0/20', '10.0.32.0/20'],
  privateSubnetCidrs: ['10.0.128.0/20', '10.0.144.0/20', '10.0.160.0/20'],
  natMode: testConfig().natMode,
  logRetentionDays: testConfig().logRetentionDays,
};

/** Flow logs as the resolver defaults them. */
function defaultFlowLogs() {
  const c = testConfig({ flowLogs: true });
  return { destination: c.flowLogDestination, trafficType: c.flowLogTraffic };
}

function synthNetwork(props: Partial<NetworkProps> = {}) {
  return synthJson((scope) => new Network(scope, 'network', { ...base, ...props }));
}

describe('Network', () => {
  const { text, json } = synthNetwork({ natMode: 'per-az' });

  test('one VPC with DNS support and DNS hostnames', () => {
    expect(text).toHaveResourceWithProperties(Vpc, {
      cidr_block: '10.0.0.0/16',
      enable_dns_support: true,
      enable_dns_hostnames: true,
    });
    expect(Object.keys(resourcesOf(json, 'aws_vpc'))).toHaveLength(1);
  });

  test.each(AZS.map((az, i) => [az, i]))('a public and a private subnet in %s, with the given CIDRs', (az, i) => {
    expect(text).toHaveResourceWithProperties(Subnet, {
      availability_zone: az,
      cidr_block: base.publicSubnetCidrs[i as number],
      map_public_ip_on_launch: false,
      tags: expect.objectContaining({ Tier: 'public' }),
    });
    expect(text).toHaveResourceWithProperties(Subnet, {
      availability_zone: az,
      cidr_block: base.privateSubnetCidrs[i as number],
      map_public_ip_on_launch: false,
      tags: expect.objectContaining({ Tier: 'private' }),
    });
  });

  test('public subnets route to the internet gateway through aws_route, not inline routes', () => {
    const routes = Object.values(resourcesOf(json, 'aws_route'));
    const toIgw = routes.filter((r) => r.gateway_id);
    expect(toIgw).toEqual([
      {
        destination_cidr_block: '0.0.0.0/0',
        gateway_id: expect.stringMatching(/^\$\{aws_internet_gateway\.network_igw_\w+\.id\}$/),
        route_table_id: expect.stringMatching(/^\$\{aws_route_table\.network_public-rt_\w+\.id\}$/),
      },
    ]);
    for (const table of Object.values(resourcesOf(json, 'aws_route_table'))) {
      expect(table.route).toBeUndefined();
    }
    expect(Object.keys(resourcesOf(json, 'aws_route_table_association'))).toHaveLength(6);
  });

  test('per-az: a NAT gateway with its own Elastic IP in each public subnet', () => {
    const nats = Object.values(resourcesOf(json, 'aws_nat_gateway'));
    expect(nats).toHaveLength(3);
    expect(Object.values(resourcesOf(json, 'aws_eip'))).toHaveLength(3);
    for (const az of AZS) {
      expect(text).toHaveResourceWithProperties(NatGateway, {
        subnet_id: expect.stringContaining(`aws_subnet.network_public-${az}_`),
        allocation_id: expect.stringContaining(`aws_eip.network_nat-eip-${az}_`),
      });
    }
  });

  test('per-az: each private subnet routes through the NAT gateway of its own AZ', () => {
    for (const az of AZS) {
      expect(text).toHaveResourceWithProperties(Route, {
        destination_cidr_block: '0.0.0.0/0',
        route_table_id: expect.stringContaining(`aws_route_table.network_private-${az}-rt_`),
        nat_gateway_id: expect.stringContaining(`aws_nat_gateway.network_nat-${az}_`),
      });
    }
  });

  test('single: one NAT gateway, and every private subnet routes through it', () => {
    const single = synthNetwork({ natMode: 'single' });
    expect(Object.values(resourcesOf(single.json, 'aws_nat_gateway'))).toHaveLength(1);
    expect(Object.values(resourcesOf(single.json, 'aws_eip'))).toHaveLength(1);
    const natRoutes = Object.values(resourcesOf(single.json, 'aws_route')).filter((r) => r.nat_gateway_id);
    expect(natRoutes).toHaveLength(3);
    for (const route of natRoutes) {
      expect(route.nat_gateway_id).toContain('aws_nat_gateway.network_nat-us-east-1a_');
    }
  });

  test('the default security group is adopted with no rules', () => {
    const [sg] = Object.values(resourcesOf(json, 'aws_default_security_group'));
    expect(sg.ingress).toBeUndefined();
    expect(sg.egress).toBeUndefined();
  });

  test('flow logs are off unless asked for', () => {
    expect(text).not.toHaveResource(FlowLog);
  });

  test('flow logs: ALL traffic to a CloudWatch log group with retention, through a scoped role', () => {
    const withLogs = synthNetwork({ flowLogs: defaultFlowLogs(), logRetentionDays: 90 });
    expect(withLogs.text).toHaveResourceWithProperties(FlowLog, {
      traffic_type: 'ALL',
      log_destination_type: 'cloud-watch-logs',
      log_destination: expect.stringContaining('aws_cloudwatch_log_group.network_flow-log-group_'),
      iam_role_arn: expect.stringContaining('aws_iam_role.network_flow-log-role_'),
      vpc_id: expect.stringContaining('aws_vpc.network_vpc_'),
    });
    expect(withLogs.text).toHaveResourceWithProperties(CloudwatchLogGroup, { retention_in_days: 90 });
    const [policy] = Object.values(resourcesOf(withLogs.json, 'aws_iam_role_policy'));
    const statement = JSON.parse(policy.policy).Statement[0];
    expect(statement.Resource).toMatch(/^\$\{aws_cloudwatch_log_group\.network_flow-log-group_\w+\.arn\}:\*$/);
    expect(statement.Action).not.toContain('*');
  });

  test("flow logs, cheaper: REJECT-only to a private S3 bucket this account's log delivery may write, expiring with the retention", () => {
    const s3 = synthNetwork({ flowLogs: { destination: 's3', trafficType: 'REJECT' }, logRetentionDays: 14 });
    expect(s3.text).toHaveResourceWithProperties(FlowLog, {
      traffic_type: 'REJECT',
      log_destination_type: 's3',
      log_destination: expect.stringContaining('aws_s3_bucket.network_flow-log-bucket_'),
      max_aggregation_interval: 600,
      depends_on: [expect.stringContaining('aws_s3_bucket_policy.network_flow-log-bucket_policy_')],
    });
    const [flowLog] = Object.values(resourcesOf(s3.json, 'aws_flow_log'));
    expect(flowLog.iam_role_arn).toBeUndefined();
    expect(resourcesOf(s3.json, 'aws_cloudwatch_log_group')).toEqual({});
    const [lifecycle] = Object.values(resourcesOf(s3.json, 'aws_s3_bucket_lifecycle_configuration'));
    expect(lifecycle.rule[0].expiration).toEqual([{ days: 14 }]);
    expect(Object.values(resourcesOf(s3.json, 'aws_s3_bucket_public_access_block'))).toHaveLength(1);
    const [policy] = Object.values(resourcesOf(s3.json, 'aws_s3_bucket_policy'));
    const statements = JSON.parse(policy.policy).Statement;
    expect(statements.map((x: { Sid: string }) => x.Sid)).toEqual([
      'FlowLogDeliveryWrite',
      'FlowLogDeliveryAclCheck',
      'DenyInsecureTransport',
    ]);
    expect(statements[0]).toMatchObject({
      Principal: { Service: 'delivery.logs.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: expect.stringMatching(/\/AWSLogs\/\$\{data\.aws_caller_identity\.[\w-]+\.account_id\}\/\*$/),
      Condition: {
        StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceAccount': expect.stringContaining('account_id') },
      },
    });
  });

  test('flow logs: REJECT-only to CloudWatch Logs', () => {
    const rejects = synthNetwork({ flowLogs: { destination: 'cloud-watch-logs', trafficType: 'REJECT' } });
    expect(rejects.text).toHaveResourceWithProperties(FlowLog, { traffic_type: 'REJECT', log_destination_type: 'cloud-watch-logs' });
  });

  test('no S3 endpoint unless a region is given', () => {
    expect(resourcesOf(json, 'aws_vpc_endpoint')).toEqual({});
  });

  test('S3 gateway endpoint on every private route table, so image pulls skip the NAT', () => {
    const { text: withEndpoint } = synthNetwork({ s3GatewayEndpointRegion: 'us-east-1' });
    expect(withEndpoint).toHaveResourceWithProperties(VpcEndpoint, {
      service_name: 'com.amazonaws.us-east-1.s3',
      vpc_endpoint_type: 'Gateway',
      route_table_ids: AZS.map((az) => expect.stringContaining(`aws_route_table.network_private-${az}-rt_`)),
    });
  });

  test('exposes typed fields for the next constructs', () => {
    const stack = Testing.synthScope((scope) => {
      const network = new Network(scope, 'network', { ...base, natMode: 'single' });
      expect(network.availabilityZones).toEqual(AZS);
      expect(network.publicSubnets.map((s) => s.availabilityZone)).toEqual(AZS);
      expect(network.privateSubnets).toHaveLength(3);
      expect(network.natGateways).toHaveLength(1);
      expect(network.flowLog).toBeUndefined();
    });
    expect(stack).toHaveResource(Vpc);
  });
});
