/** What every area's checks of one applied environment read, and the lookups they share. */
import { EnvironmentConfig } from '../../src/environment/config';
import { Checks, expect, Json, memo, StackOutputs } from '../checks';

/** The AWS CLI against the emulator (harness/checks.ts awsCli). */
export type Aws = (...args: string[]) => Json;

export interface Deployment {
  readonly checks: Checks;
  readonly aws: Aws;
  /** The emulator's, for the ops CLI. */
  readonly endpoint: string;
  readonly config: EnvironmentConfig;
  readonly out: StackOutputs;
  readonly vpc: () => Json;
  /** Subnets of one tier (Tier tag), one per AZ in AZ order. */
  readonly subnets: () => { publics: Json[]; privates: Json[] };
  readonly loadBalancer: () => Json;
  /** The forwarding listener: 443 with HTTPS, else 80. */
  readonly listener: () => Json;
  readonly rules: () => Json[];
  readonly asg: () => Json;
}

export const ids = (list: Json[]): string[] => list.map((s) => s.SubnetId);

/** Lookups are memoized: read once when a check first needs them, shared by the checks after it. */
export function deployment(checks: Checks, aws: Aws, endpoint: string, config: EnvironmentConfig, out: StackOutputs): Deployment {
  const vpc = memo(() => {
    const vpcs = aws('ec2', 'describe-vpcs', '--vpc-ids', out.vpc_id).Vpcs;
    expect(vpcs.length === 1, `expected the VPC ${out.vpc_id}, found ${vpcs.length}`);
    return vpcs[0];
  });
  const subnets = memo(() => {
    const all: Json[] = aws('ec2', 'describe-subnets', '--filters', `Name=vpc-id,Values=${vpc().VpcId}`).Subnets;
    const tier = (s: Json) => s.Tags?.find((t: Json) => t.Key === 'Tier')?.Value;
    const byTier = (t: string): Json[] =>
      config.availabilityZones.map((az) => {
        const found = all.filter((s) => s.AvailabilityZone === az && tier(s) === t);
        expect(found.length === 1, `expected one ${t} subnet in ${az}, found ${found.length}`);
        return found[0];
      });
    return { publics: byTier('public'), privates: byTier('private') };
  });
  const loadBalancer = memo(() => aws('elbv2', 'describe-load-balancers', '--load-balancer-arns', out.load_balancer_arn).LoadBalancers[0]);
  const listener = memo(() => {
    const listeners: Json[] = aws('elbv2', 'describe-listeners', '--load-balancer-arn', out.load_balancer_arn).Listeners;
    const port = out.https_listener_arn ? 443 : 80;
    const found = listeners.find((l) => l.Port === port);
    expect(found, `no listener on port ${port}`);
    return found;
  });
  const rules = memo((): Json[] => aws('elbv2', 'describe-rules', '--listener-arn', listener().ListenerArn).Rules);
  const asg = memo(() => {
    const group = aws('autoscaling', 'describe-auto-scaling-groups', '--auto-scaling-group-names', out.autoscaling_group_name)
      .AutoScalingGroups[0];
    expect(group, `no Auto Scaling group ${out.autoscaling_group_name}`);
    return group;
  });
  return { checks, aws, endpoint, config, out, vpc, subnets, loadBalancer, listener, rules, asg };
}
