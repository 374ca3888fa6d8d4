import { Eip } from '@cdktf/provider-aws/lib/eip';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { NetworkInterface } from '@cdktf/provider-aws/lib/network-interface';
import { Route } from '@cdktf/provider-aws/lib/route';
import { Network, NetworkProps } from '../src/network/network';
import { NAT_AMI_PARAMETER, natUserData } from '../src/network/nat-instance';
import { onlyResource, resourcesOf, synthJson } from './support/synth';
import { testConfig } from './support/fixtures';

const base: NetworkProps = {
  namePrefix: 'hn-test',
  vpcCidr: '10.0.0.0/16',
  availabilityZones: ['us-east-1a', 'us-east-1b'],
  publicSubnetCidrs: ['10.0.0.0/20', '10.0.16.0/20'],
  privateSubnetCidrs: ['10.0.128.0/20', '10.0.144.0/20'],
  natMode: 'instance',
  natInstanceType: 't4g.nano',
  logRetentionDays: testConfig().logRetentionDays,
};

describe("Network with natMode 'instance'", () => {
  const { text, json } = synthJson((scope) => new Network(scope, 'network', base));
  const eniRef = expect.stringMatching(/^\$\{aws_network_interface\.network_nat-instance_eni_\w+\.id\}$/);

  test('no NAT gateway; every private default route goes to the NAT interface', () => {
    expect(text).not.toHaveResource(NatGateway);
    const privateRoutes = Object.entries(resourcesOf(json, 'aws_route')).filter(([id]) => id.includes('private-'));
    expect(privateRoutes).toHaveLength(2);
    for (const [, route] of privateRoutes) {
      expect(route).toEqual({ route_table_id: expect.any(String), destination_cidr_block: '0.0.0.0/0', network_interface_id: eniRef });
    }
    expect(text).toHaveResourceWithProperties(Route, { gateway_id: expect.stringContaining('aws_internet_gateway.') });
  });

  test('the interface: first public subnet, source/destination check off, its own security group, an Elastic IP', () => {
    const eni = onlyResource(json, 'aws_network_interface');
    expect(eni).toMatchObject({
      subnet_id: expect.stringContaining('aws_subnet.network_public-us-east-1a_'),
      source_dest_check: false,
      security_groups: [expect.stringContaining('aws_security_group.network_nat-instance_sg_')],
    });
    expect(text).toHaveResourceWithProperties(Eip, {
      domain: 'vpc',
      network_interface: eniRef,
      depends_on: [expect.stringContaining('aws_internet_gateway.')],
    });
  });

  test('security group: HTTPS in from each private subnet only, HTTPS out; nothing on 22', () => {
    const ingress = Object.values(resourcesOf(json, 'aws_vpc_security_group_ingress_rule'));
    expect(ingress.map((r) => [r.cidr_ipv4, r.ip_protocol, r.from_port, r.to_port])).toEqual([
      ['10.0.128.0/20', 'tcp', 443, 443],
      ['10.0.144.0/20', 'tcp', 443, 443],
    ]);
    const egress = Object.values(resourcesOf(json, 'aws_vpc_security_group_egress_rule'));
    expect(egress.map((r) => [r.cidr_ipv4, r.ip_protocol, r.from_port, r.to_port])).toEqual([['0.0.0.0/0', 'tcp', 443, 443]]);
  });

  test('launch template: Graviton AL2023 from SSM, IMDSv2 hop 1, encrypted 8 GB gp3, standard credits, the interface as device 0, no key pair', () => {
    const lt = onlyResource(json, 'aws_launch_template');
    expect(lt).toMatchObject({
      instance_type: 't4g.nano',
      image_id: expect.stringMatching(/^\$\{data\.aws_ssm_parameter\.network_nat-instance_ami_\w+\.insecure_value\}$/),
      metadata_options: { http_tokens: 'required', http_put_response_hop_limit: 1 },
      credit_specification: { cpu_credits: 'standard' },
      monitoring: { enabled: false },
      network_interfaces: [{ device_index: 0, network_interface_id: eniRef, delete_on_termination: 'false' }],
      block_device_mappings: [{ device_name: '/dev/xvda', ebs: { encrypted: 'true', volume_size: 8, volume_type: 'gp3' } }],
    });
    expect(lt.key_name).toBeUndefined();
    // With an existing interface, AWS takes the groups and subnet from it and rejects them here.
    expect(lt.network_interfaces[0].security_groups).toBeUndefined();
    expect(lt.vpc_security_group_ids).toBeUndefined();
    expect(Object.values(json.data!.aws_ssm_parameter).map((p: any) => p.name)).toEqual([NAT_AMI_PARAMETER]);
  });

  test("an Auto Scaling group of one in the interface's AZ (no subnet: the interface brings it), replaced old-first on a new template version", () => {
    const asg = onlyResource(json, 'aws_autoscaling_group');
    expect(asg).toMatchObject({
      name: 'hn-test-nat',
      min_size: 1,
      max_size: 1,
      desired_capacity: 1,
      availability_zones: [expect.stringMatching(/^\$\{aws_subnet\.network_public-us-east-1a_\w+\.availability_zone\}$/)],
      launch_template: { id: expect.stringContaining('aws_launch_template.'), version: expect.stringContaining('.latest_version') },
      instance_refresh: { strategy: 'Rolling', preferences: { min_healthy_percentage: 0 } },
    });
    expect(asg.vpc_zone_identifier).toBeUndefined();
  });

  test('role: Session Manager, and SetInstanceHealth on its own group only; the group waits for that grant', () => {
    const attachments = Object.values(resourcesOf(json, 'aws_iam_role_policy_attachment'));
    expect(attachments.map((a) => a.policy_arn)).toEqual([expect.stringMatching(/:iam::aws:policy\/AmazonSSMManagedInstanceCore$/)]);
    const [[policyId, policy]] = Object.entries(resourcesOf(json, 'aws_iam_role_policy'));
    expect(JSON.parse(policy.policy).Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'autoscaling:SetInstanceHealth',
        Resource: expect.stringMatching(
          /^arn:\$\{data\.aws_partition\.[\w-]+\.partition\}:autoscaling:\$\{data\.aws_region\.[\w-]+\.name\}:\$\{data\.aws_caller_identity\.[\w-]+\.account_id\}:autoScalingGroup:\*:autoScalingGroupName\/hn-test-nat$/,
        ),
      },
    ]);
    expect(onlyResource(json, 'aws_autoscaling_group').depends_on).toEqual([`aws_iam_role_policy.${policyId}`]);
  });

  test('the instance and its volume carry the given tags; the interface is tagged as a resource of the stack, not by the launch', () => {
    const tagged = synthJson((scope) => new Network(scope, 'network', { ...base, natInstanceTags: { Project: 'host-name' } })).json;
    expect(onlyResource(tagged, 'aws_launch_template').tag_specifications).toEqual(
      ['instance', 'volume'].map((resource_type) => ({ resource_type, tags: { Project: 'host-name', Name: 'hn-test-nat' } })),
    );
  });

  test('a pinned AMI replaces the SSM lookup', () => {
    const pinned = synthJson((scope) => new Network(scope, 'network', { ...base, natInstanceAmiId: 'ami-0123456789abcdef0' })).json;
    expect(onlyResource(pinned, 'aws_launch_template').image_id).toBe('ami-0123456789abcdef0');
    expect(pinned.data?.aws_ssm_parameter).toBeUndefined();
  });

  test('exposes the NAT instance and no gateways', () => {
    synthJson((scope) => {
      const network = new Network(scope, 'network', base);
      expect(network.natGateways).toEqual([]);
      expect(network.natInstance!.networkInterface).toBeInstanceOf(NetworkInterface);
      expect(network.natInstance!.launchTemplate).toBeInstanceOf(LaunchTemplate);
    });
  });

  test('natMode instance without a type is a programming error, said at once', () => {
    expect(() => synthJson((scope) => new Network(scope, 'network', { ...base, natInstanceType: undefined }))).toThrow(
      'natMode "instance" needs natInstanceType',
    );
  });
});

describe('NAT user data', () => {
  const script = natUserData(['10.0.128.0/20', '10.0.144.0/20']);

  test('IP forwarding, persistent across reboots (sysctl.d)', () => {
    expect(script).toContain("echo 'net.ipv4.ip_forward = 1' > /etc/sysctl.d/90-nat.conf");
    expect(script).toContain('sysctl --system');
  });

  test('masquerade and forwarding for the private CIDRs only, saved for the iptables service', () => {
    expect(script).toContain('dnf install -y iptables-services');
    expect(script).toContain('-A POSTROUTING -s 10.0.128.0/20 -o $IFACE -j MASQUERADE');
    expect(script).toContain('-A POSTROUTING -s 10.0.144.0/20 -o $IFACE -j MASQUERADE');
    expect(script).toContain(':FORWARD DROP [0:0]');
    expect(script).toContain('-A FORWARD -s 10.0.128.0/20 -o $IFACE -j ACCEPT');
    expect(script).toContain('cat > /etc/sysconfig/iptables <<EOF');
    expect(script).toContain('systemctl enable --now iptables');
  });

  test('stops at the first failure, and turns sshd off', () => {
    expect(script.split('\n').slice(0, 2)).toEqual(['#!/bin/bash', 'set -Eeuo pipefail']);
    expect(script).toContain('systemctl disable --now sshd');
  });

  test('a failed step reports the instance unhealthy to its group, before any step runs', () => {
    const lines = script.split('\n');
    const trap = lines.indexOf('trap report_unhealthy ERR');
    expect(trap).toBeGreaterThan(0);
    expect(trap).toBeLessThan(lines.indexOf('dnf install -y iptables-services'));
    expect(script).toMatch(
      /aws autoscaling set-instance-health .*--instance-id "\$\(IMDS instance-id\)" --health-status Unhealthy --no-should-respect-grace-period/,
    );
  });
});
