/** Network checks: the VPC, its subnets, the NAT gateways or NAT instance, the flow logs. */
import { expect, Json } from '../checks';
import { Deployment } from './deployment';

export function checkSubnetsAndNat(d: Deployment): void {
  const { checks, aws, config, out } = d;
  checks.run('network: a public and a private subnet per AZ, private default routes through NAT', () => {
    const v = d.vpc();
    expect(v.CidrBlock === config.vpcCidr, `VPC CIDR ${v.CidrBlock}, expected ${config.vpcCidr}`);
    const { publics, privates } = d.subnets();
    const tables: Json[] = aws('ec2', 'describe-route-tables', '--filters', `Name=vpc-id,Values=${v.VpcId}`).RouteTables;
    const nats: Json[] = aws('ec2', 'describe-nat-gateways', '--filter', `Name=vpc-id,Values=${v.VpcId}`).NatGateways;
    const defaultRoute = (subnet: Json) => {
      const table = tables.find((t) => t.Associations?.some((a: Json) => a.SubnetId === subnet.SubnetId));
      expect(table, `subnet ${subnet.SubnetId} has no route table`);
      const route = table.Routes.find((r: Json) => r.DestinationCidrBlock === '0.0.0.0/0');
      expect(route, `route table ${table.RouteTableId} has no default route`);
      return route;
    };
    for (const subnet of publics) {
      expect(
        defaultRoute(subnet).GatewayId?.startsWith('igw-'),
        `public subnet ${subnet.SubnetId} does not route through the internet gateway`,
      );
    }
    if (config.natMode === 'instance') {
      const eni = out.nat_network_interface_id;
      privates.forEach((subnet) => {
        const target = defaultRoute(subnet).NetworkInterfaceId;
        expect(
          target === eni,
          `private subnet ${subnet.SubnetId} routes to ${target ?? JSON.stringify(defaultRoute(subnet))}, expected the NAT interface ${eni}`,
        );
      });
      return `${config.availabilityZones.join(', ')}; every private subnet routes to the NAT instance's interface ${eni}`;
    }
    const natIds = new Set<string>();
    privates.forEach((subnet, i) => {
      const nat = nats.find((n) => n.NatGatewayId === defaultRoute(subnet).NatGatewayId);
      expect(nat, `private subnet ${subnet.SubnetId} does not route through a NAT gateway of the VPC`);
      const home = config.natMode === 'per-az' ? publics[i] : publics[0];
      expect(
        nat.SubnetId === home.SubnetId,
        `NAT ${nat.NatGatewayId} of ${subnet.AvailabilityZone} sits in ${nat.SubnetId}, expected public subnet ${home.SubnetId}`,
      );
      natIds.add(nat.NatGatewayId);
    });
    return `${config.availabilityZones.join(', ')}; ${natIds.size} NAT gateway(s) (${config.natMode})`;
  });
}

/** natMode 'instance': the instance's group, its interface and template, and the emulator's refusal that keeps the group honest. */
export function checkNatInstance(d: Deployment): void {
  checkNatInstanceGroup(d);
  checkNatSubnetRefused(d);
}

function checkNatInstanceGroup(d: Deployment): void {
  const { checks, aws, config, out } = d;
  checks.run('NAT instance: a group of one, whose instance has the routed interface as its own, source/destination check off', () => {
    const eniId = out.nat_network_interface_id;
    const groupName = out.nat_autoscaling_group_name;
    expect(eniId && groupName, 'no nat_network_interface_id / nat_autoscaling_group_name output');
    const group = aws('autoscaling', 'describe-auto-scaling-groups', '--auto-scaling-group-names', groupName).AutoScalingGroups[0];
    expect(group, `no Auto Scaling group ${groupName}`);
    expect(
      group.MinSize === 1 && group.MaxSize === 1 && group.DesiredCapacity === 1,
      `group size ${group.MinSize}-${group.MaxSize} (desired ${group.DesiredCapacity}), expected 1-1`,
    );
    expect(group.Instances.length === 1, `${group.Instances.length} instances in ${groupName}, expected 1`);
    // An existing interface in the template: the group names its AZ and no subnet, as AWS requires.
    expect(!group.VPCZoneIdentifier, `group sets VPCZoneIdentifier ${group.VPCZoneIdentifier} next to an existing interface`);
    expect(
      group.AvailabilityZones.join() === config.availabilityZones[0],
      `group AZs ${group.AvailabilityZones}, expected ${config.availabilityZones[0]}`,
    );
    const eni = aws('ec2', 'describe-network-interfaces', '--network-interface-ids', eniId).NetworkInterfaces[0];
    expect(eni.SourceDestCheck === false, `SourceDestCheck ${eni.SourceDestCheck} on ${eniId}`);
    expect(eni.SubnetId === d.subnets().publics[0].SubnetId, `interface in ${eni.SubnetId}, expected the first public subnet`);
    expect(eni.Association?.PublicIp, `no public address on ${eniId}`);
    const instanceId = group.Instances[0].InstanceId;
    const instance = aws('ec2', 'describe-instances', '--instance-ids', instanceId).Reservations[0].Instances[0];
    const primary = instance.NetworkInterfaces.find((n: Json) => n.Attachment?.DeviceIndex === 0);
    expect(
      primary?.NetworkInterfaceId === eniId,
      `instance ${instanceId}'s primary interface is ${primary?.NetworkInterfaceId}, expected ${eniId}`,
    );
    expect(eni.Attachment?.InstanceId === instanceId, `interface attached to ${eni.Attachment?.InstanceId}`);
    const version = aws(
      'ec2',
      'describe-launch-template-versions',
      '--launch-template-id',
      group.LaunchTemplate.LaunchTemplateId,
      '--versions',
      '$Latest',
    ).LaunchTemplateVersions[0];
    const data = version.LaunchTemplateData;
    expect(data.MetadataOptions?.HttpTokens === 'required', `launch template HttpTokens ${data.MetadataOptions?.HttpTokens}`);
    expect(data.KeyName === undefined, `launch template names key pair ${data.KeyName}`);
    expect(
      data.BlockDeviceMappings?.every((m: Json) => m.Ebs?.Encrypted === true),
      `root volume not encrypted: ${JSON.stringify(data.BlockDeviceMappings)}`,
    );
    return `${instanceId} on ${eniId} (${eni.Association.PublicIp}), source/dest check off`;
  });
}

function checkNatSubnetRefused(d: Deployment): void {
  const { checks, aws, out } = d;
  checks.run("NAT instance: the emulator refuses a group that names a subnet beside the template's existing interface, as AWS does", () => {
    const groupName = out.nat_autoscaling_group_name!;
    const group = aws('autoscaling', 'describe-auto-scaling-groups', '--auto-scaling-group-names', groupName).AutoScalingGroups[0];
    const template = `LaunchTemplateId=${group.LaunchTemplate.LaunchTemplateId},Version=$Latest`;
    const probe = `${groupName}-subnet-probe`;
    let refusal = '';
    try {
      aws(
        'autoscaling',
        'create-auto-scaling-group',
        '--auto-scaling-group-name',
        probe,
        '--launch-template',
        template,
        '--min-size',
        '1',
        '--max-size',
        '1',
        '--vpc-zone-identifier',
        d.subnets().publics[0].SubnetId,
      );
    } catch (e) {
      refusal = (e as Error).message;
    }
    if (!refusal) aws('autoscaling', 'delete-auto-scaling-group', '--auto-scaling-group-name', probe, '--force-delete');
    expect(/InvalidParameterCombination/.test(refusal), `CreateAutoScalingGroup with VPCZoneIdentifier and an interface id was accepted`);
    return 'InvalidParameterCombination';
  });
}

export function checkFlowLogs(d: Deployment): void {
  const { checks, aws, config } = d;
  checks.run(`network: VPC flow logs (${config.flowLogTraffic}) go to ${config.flowLogDestination}`, () => {
    const logs: Json[] = aws('ec2', 'describe-flow-logs', '--filter', `Name=resource-id,Values=${d.vpc().VpcId}`).FlowLogs;
    expect(logs.length === 1, `${logs.length} flow logs on the VPC`);
    expect(
      logs[0].LogDestinationType === config.flowLogDestination && logs[0].TrafficType === config.flowLogTraffic,
      JSON.stringify(logs[0]),
    );
    return logs[0].LogGroupName ?? logs[0].LogDestination;
  });
}
