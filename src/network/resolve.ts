/** Applies the network's defaults and validates its settings. */
import {
  FLOW_LOG_DESTINATIONS,
  FLOW_LOG_TRAFFIC,
  NAT_INSTANCE_TYPES,
  NAT_MODES,
  NETWORK_DEFAULTS,
  NetworkConfig,
  NetworkSettings,
} from './settings';
import { contains, formatCidr, Ipv4Cidr, overlaps, parseCidr, subnet } from '../shared/cidr';
import { AMI_ID, Validator } from '../shared/validator';

export function resolveNetwork(v: Validator, s: NetworkSettings, region: string): NetworkConfig {
  const availabilityZones = resolveAvailabilityZones(v, s, region);
  const vpcCidr = s.vpcCidr ?? NETWORK_DEFAULTS.vpcCidr;
  const vpc = parseCidr(vpcCidr);
  v.check('vpcCidr', vpcCidr, vpc !== undefined && vpc.prefix >= 16 && vpc.prefix <= 24, 'an IPv4 network CIDR from /16 to /24');
  const subnets = resolveSubnets(v, vpc!, availabilityZones.length, s);

  const natMode = s.natMode ?? NETWORK_DEFAULTS.natMode;
  v.check('natMode', natMode, NAT_MODES.includes(natMode), `one of ${NAT_MODES.join(', ')}`);
  const natInstance = { instanceType: s.natInstance?.instanceType ?? NETWORK_DEFAULTS.natInstanceType, amiId: s.natInstance?.amiId };
  v.check(
    'natInstance.instanceType',
    natInstance.instanceType,
    natInstance.instanceType in NAT_INSTANCE_TYPES,
    `one of ${Object.keys(NAT_INSTANCE_TYPES).join(', ')}`,
  );
  if (natInstance.amiId !== undefined) {
    v.check('natInstance.amiId', natInstance.amiId, AMI_ID.test(natInstance.amiId), 'an AMI id: ami- and 8 or 17 hexadecimal digits');
  }

  const flowLogDestination = s.flowLogDestination ?? NETWORK_DEFAULTS.flowLogDestination;
  v.check(
    'flowLogDestination',
    flowLogDestination,
    FLOW_LOG_DESTINATIONS.includes(flowLogDestination),
    `one of ${FLOW_LOG_DESTINATIONS.join(', ')}`,
  );
  const flowLogTraffic = s.flowLogTraffic ?? NETWORK_DEFAULTS.flowLogTraffic;
  v.check('flowLogTraffic', flowLogTraffic, FLOW_LOG_TRAFFIC.includes(flowLogTraffic), `one of ${FLOW_LOG_TRAFFIC.join(', ')}`);

  return {
    availabilityZones,
    vpcCidr,
    ...subnets,
    natMode,
    natInstance,
    flowLogs: s.flowLogs ?? NETWORK_DEFAULTS.flowLogs,
    flowLogDestination,
    flowLogTraffic,
  };
}

function resolveAvailabilityZones(v: Validator, s: NetworkSettings, region: string): readonly string[] {
  const azs = s.availabilityZones ?? [`${region}a`, `${region}b`];
  v.check('availabilityZones', azs, azs.length >= 2 && azs.length <= 3, '2 or 3 availability zones');
  azs.forEach((az, i) =>
    v.check(`availabilityZones[${i}]`, az, new RegExp(`^${region}[a-z]$`).test(az), `an AZ of ${region}, such as ${region}a`),
  );
  v.check('availabilityZones', azs, new Set(azs).size === azs.length, 'distinct availability zones');
  return azs;
}

/** Explicit subnet CIDRs are checked; missing ones are carved deterministically from the VPC. */
function resolveSubnets(v: Validator, vpc: Ipv4Cidr, azCount: number, s: NetworkSettings) {
  // Public subnets take the lower half of the VPC, private the upper half; each gets
  // VPC prefix + 4 (a /20 in a /16), so adding an AZ never renumbers existing subnets.
  const newBits = 4;
  const half = 2 ** (newBits - 1);
  const carve = (offset: number) => Array.from({ length: azCount }, (_, i) => formatCidr(subnet(vpc, newBits, offset + i)));
  const publicSubnetCidrs = s.publicSubnetCidrs ?? carve(0);
  const privateSubnetCidrs = s.privateSubnetCidrs ?? carve(half);

  const all: { field: string; text: string; cidr: Ipv4Cidr }[] = [];
  for (const [field, list] of [
    ['publicSubnetCidrs', publicSubnetCidrs],
    ['privateSubnetCidrs', privateSubnetCidrs],
  ] as const) {
    v.check(field, list, list.length === azCount, `one CIDR per availability zone (${azCount})`);
    list.forEach((text, i) => {
      const cidr = parseCidr(text);
      const at = `${field}[${i}]`;
      v.check(at, text, cidr !== undefined && cidr.prefix <= 28, 'an IPv4 network CIDR of /28 or larger');
      v.check(at, text, contains(vpc, cidr!), `a subnet inside vpcCidr ${formatCidr(vpc)}`);
      const clash = all.find((other) => overlaps(other.cidr, cidr!));
      v.check(at, text, clash === undefined, `no overlap with ${clash?.field} ${clash?.text}`);
      all.push({ field: at, text, cidr: cidr! });
    });
  }
  return { publicSubnetCidrs, privateSubnetCidrs };
}
