import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { EcsCapacityProvider } from '@cdktf/provider-aws/lib/ecs-capacity-provider';
import { EcsCluster } from '@cdktf/provider-aws/lib/ecs-cluster';
import { EcsClusterCapacityProviders } from '@cdktf/provider-aws/lib/ecs-cluster-capacity-providers';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { DataAwsSsmParameter } from '@cdktf/provider-aws/lib/data-aws-ssm-parameter';
import { resolveEnvironment } from '../src/environment/resolve';
import { Ec2CapacityProps } from '../src/compute/ec2-capacity';
import { CAPACITY_DEFAULTS } from '../src/compute/settings';
import { INSTANCE_TYPES } from '../src/compute/instance-types';
import { testCapacity, testNetwork } from './support/fixtures';
import { onlyResource, resourcesOf, SynthJson, synthJson } from './support/synth';

function synthCapacity(props: Partial<Ec2CapacityProps> = {}) {
  return synthJson((scope) => testCapacity(scope, testNetwork(scope), props));
}

/** The shell script inside `${base64encode("...")}`, as the instance will run it. */
function userDataScript(launchTemplate: any): string {
  const m = /^\$\{base64encode\("(.*)"\)\}$/s.exec(launchTemplate.user_data);
  if (!m) throw new Error(`user_data is not base64encode(...): ${launchTemplate.user_data}`);
  return JSON.parse(`"${m[1]}"`);
}

describe('Ec2Capacity (on-demand)', () => {
  const { text, json } = synthCapacity({ capacity: { ...CAPACITY_DEFAULTS, min: 1, max: 5 } });
  const launchTemplate = onlyResource(json, 'aws_launch_template');

  test('cluster with Container Insights', () => {
    expect(text).toHaveResourceWithProperties(EcsCluster, {
      name: 'hn-test-cluster',
      setting: [{ name: 'containerInsights', value: 'enabled' }],
    });
  });

  test('instance role: the ECS agent and Session Manager policies, nothing else', () => {
    const arns = Object.values(resourcesOf(json, 'aws_iam_role_policy_attachment')).map((a) =>
      a.policy_arn.replace(/^arn:\$\{data\.aws_partition\.\w+\.partition\}:/, 'arn:<partition>:'),
    );
    expect(arns.sort()).toEqual([
      'arn:<partition>:iam::aws:policy/AmazonSSMManagedInstanceCore',
      'arn:<partition>:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role',
    ]);
    expect(resourcesOf(json, 'aws_iam_role_policy')).toEqual({});
    const trust = JSON.parse(onlyResource(json, 'aws_iam_role').assume_role_policy);
    expect(trust.Statement[0].Principal).toEqual({ Service: 'ec2.amazonaws.com' });
    expect(onlyResource(json, 'aws_iam_instance_profile').role).toContain('aws_iam_role.capacity_instance-role_');
  });

  test('no SSH: no key pair, and no rule mentions port 22', () => {
    expect(launchTemplate.key_name).toBeUndefined();
    expect(resourcesOf(json, 'aws_key_pair')).toEqual({});
    expect(text).not.toMatch(/"(from|to)_port": 22\b/);
  });

  test('instance egress: TCP 443 only', () => {
    const egress = Object.values(resourcesOf(json, 'aws_vpc_security_group_egress_rule'));
    expect(egress).toEqual([
      expect.objectContaining({ ip_protocol: 'tcp', from_port: 443, to_port: 443, description: expect.stringMatching(/HTTPS/) }),
    ]);
    expect(resourcesOf(json, 'aws_vpc_security_group_ingress_rule')).toEqual({});
  });

  test('AMI: the ECS-optimized Amazon Linux 2023 image from the public SSM parameter, its id shown in the plan', () => {
    expect(text).toHaveDataSourceWithProperties(DataAwsSsmParameter, {
      name: '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id',
    });
    expect(launchTemplate.image_id).toMatch(/^\$\{data\.aws_ssm_parameter\.capacity_ecs-ami_\w+\.insecure_value\}$/);
  });

  test('launch template: IMDSv2 required with hop limit 1, encrypted gp3, monitoring, no public IP', () => {
    expect(text).toHaveResourceWithProperties(LaunchTemplate, {
      instance_type: 't2.micro',
      metadata_options: {
        http_endpoint: 'enabled',
        http_tokens: 'required',
        http_put_response_hop_limit: 1,
        instance_metadata_tags: 'disabled',
      },
      monitoring: { enabled: true },
      network_interfaces: [expect.objectContaining({ associate_public_ip_address: 'false' })],
      block_device_mappings: [
        { device_name: '/dev/xvda', ebs: expect.objectContaining({ encrypted: 'true', volume_type: 'gp3', volume_size: 30 }) },
      ],
    });
  });

  test('user data joins the cluster and matches the task stop timeout', () => {
    const script = userDataScript(launchTemplate);
    expect(script).toMatch(/^#!\/bin\/bash\n/);
    expect(script).toContain('ECS_CLUSTER=${aws_ecs_cluster.capacity_cluster_');
    expect(script).toContain('ECS_ENABLE_CONTAINER_METADATA=true');
    expect(script).toContain('ECS_CONTAINER_STOP_TIMEOUT=30s');
    expect(script).toContain('ECS_RESERVED_MEMORY=256');
    expect(script).not.toContain('SPOT');
  });

  test('Auto Scaling group: private subnets, bounds, scale-in protection, ECS-managed tag', () => {
    expect(text).toHaveResourceWithProperties(AutoscalingGroup, {
      min_size: 1,
      max_size: 5,
      desired_capacity: 1,
      protect_from_scale_in: true,
      vpc_zone_identifier: [
        expect.stringContaining('aws_subnet.network_private-us-east-1a_'),
        expect.stringContaining('aws_subnet.network_private-us-east-1b_'),
      ],
      launch_template: {
        id: expect.stringContaining('aws_launch_template.capacity_launch-template_'),
        version: expect.stringContaining('.latest_version'),
      },
      tag: expect.arrayContaining([{ key: 'AmazonECSManaged', value: 'true', propagate_at_launch: true }]),
      lifecycle: { ignore_changes: ['desired_capacity'] },
    });
  });

  test('instance refresh launches before it terminates and skips instances already on the latest version', () => {
    const asg = onlyResource(json, 'aws_autoscaling_group');
    expect(asg.instance_refresh).toEqual({
      strategy: 'Rolling',
      preferences: {
        min_healthy_percentage: 100,
        max_healthy_percentage: 200,
        skip_matching: true,
        scale_in_protected_instances: 'Refresh',
        standby_instances: 'Terminate',
      },
    });
    expect(asg.mixed_instances_policy).toBeUndefined();
  });

  test('instances, their volumes and network interfaces carry the given tags (default_tags do not reach what the ASG launches)', () => {
    const tagged = synthCapacity({ instanceTags: { Project: 'host-name', Environment: 'test' } }).json;
    expect(onlyResource(tagged, 'aws_launch_template').tag_specifications).toEqual(
      ['instance', 'volume', 'network-interface'].map((resource_type) => ({
        resource_type,
        tags: { Project: 'host-name', Environment: 'test', Name: 'hn-test-instance' },
      })),
    );
  });

  test('a pinned AMI replaces the SSM parameter', () => {
    const pinned = synthCapacity({ amiId: 'ami-0123456789abcdef0' }).json;
    expect(onlyResource(pinned, 'aws_launch_template').image_id).toBe('ami-0123456789abcdef0');
    expect(pinned.data?.aws_ssm_parameter).toBeUndefined();
  });

  test('capacity provider: a target capacity below 100 keeps spare instances', () => {
    const spare = synthCapacity({ capacity: { ...CAPACITY_DEFAULTS, targetCapacityPercent: 90 } }).json;
    expect(onlyResource(spare, 'aws_ecs_capacity_provider').auto_scaling_group_provider.managed_scaling.target_capacity).toBe(90);
  });

  test('capacity provider: managed scaling at 100%, termination protection, draining', () => {
    expect(text).toHaveResourceWithProperties(EcsCapacityProvider, {
      auto_scaling_group_provider: {
        auto_scaling_group_arn: expect.stringContaining('aws_autoscaling_group.capacity_asg_'),
        managed_termination_protection: 'ENABLED',
        managed_draining: 'ENABLED',
        managed_scaling: {
          status: 'ENABLED',
          target_capacity: 100,
          minimum_scaling_step_size: 1,
          maximum_scaling_step_size: 2,
          instance_warmup_period: 120,
        },
      },
    });
  });

  test("the capacity provider is the cluster's default strategy", () => {
    expect(text).toHaveResourceWithProperties(EcsClusterCapacityProviders, {
      cluster_name: expect.stringContaining('aws_ecs_cluster.capacity_cluster_'),
      capacity_providers: [expect.stringContaining('aws_ecs_capacity_provider.capacity_capacity-provider_')],
      default_capacity_provider_strategy: [
        { capacity_provider: expect.stringContaining('aws_ecs_capacity_provider.capacity_capacity-provider_'), weight: 1, base: 0 },
      ],
    });
  });
});

describe('Ec2Capacity (Spot)', () => {
  const instanceTypes = ['t2.micro', 't3.micro', 't3a.micro'];
  const { json } = synthCapacity({ capacity: { ...CAPACITY_DEFAULTS, min: 1, max: 5 }, spot: { instanceTypes, weight: 3 } });
  const groups = resourcesOf(json, 'aws_autoscaling_group');
  const onDemand = Object.entries(groups).find(([id]) => id.startsWith('capacity_asg_'))![1];
  const spot = Object.entries(groups).find(([id]) => id.startsWith('capacity_spot-asg_'))![1];
  const templates = resourcesOf(json, 'aws_launch_template');
  const template = (prefix: string) => Object.entries(templates).find(([id]) => id.startsWith(prefix))![1];
  const providers = resourcesOf(json, 'aws_ecs_capacity_provider');

  test('the on-demand group keeps its launch template, with no mixed instances policy', () => {
    expect(Object.keys(groups)).toHaveLength(2);
    expect(onDemand.name).toBe('hn-test-instances');
    expect(onDemand.mixed_instances_policy).toBeUndefined();
    expect(onDemand.capacity_rebalance).toBeUndefined();
    expect(onDemand.launch_template.id).toContain('aws_launch_template.capacity_launch-template_');
    expect(onDemand).toMatchObject({ min_size: 1, max_size: 5 });
  });

  test('the Spot group: all Spot, price-capacity-optimized, diversified, unweighted, rebalanced', () => {
    expect(spot).toMatchObject({ name: 'hn-test-spot-instances', min_size: 0, max_size: 5, desired_capacity: 0 });
    expect(spot.launch_template).toBeUndefined();
    expect(spot.capacity_rebalance).toBe(true);
    expect(spot.protect_from_scale_in).toBe(true);
    expect(spot.mixed_instances_policy.instances_distribution).toEqual({
      on_demand_base_capacity: 0,
      on_demand_percentage_above_base_capacity: 0,
      spot_allocation_strategy: 'price-capacity-optimized',
    });
    const lt = spot.mixed_instances_policy.launch_template;
    expect(lt.launch_template_specification.launch_template_id).toContain('aws_launch_template.capacity_spot-launch-template_');
    expect(lt.override).toEqual(instanceTypes.map((instance_type) => ({ instance_type })));
  });

  test('only the Spot template drains at the interruption notice; otherwise the templates are alike', () => {
    const od = template('capacity_launch-template_');
    const sp = template('capacity_spot-launch-template_');
    expect(userDataScript(sp)).toContain('ECS_ENABLE_SPOT_INSTANCE_DRAINING=true');
    expect(userDataScript(od)).not.toContain('SPOT');
    expect(userDataScript(sp).replace('ECS_ENABLE_SPOT_INSTANCE_DRAINING=true\n', '')).toBe(userDataScript(od));
    const rest = ({ user_data, name_prefix, ...t }: any) => t;
    expect(rest(sp)).toEqual(rest(od));
    expect(sp.name_prefix).toBe('hn-test-spot-');
  });

  test('two capacity providers, both with managed termination protection, draining and scaling, both on the cluster', () => {
    expect(
      Object.values(providers)
        .map((p) => p.name)
        .sort(),
    ).toEqual(['hn-test-ec2', 'hn-test-ec2-spot']);
    for (const p of Object.values(providers))
      expect(p.auto_scaling_group_provider).toMatchObject({
        managed_termination_protection: 'ENABLED',
        managed_draining: 'ENABLED',
        managed_scaling: { status: 'ENABLED' },
      });
    const cluster = onlyResource(json, 'aws_ecs_cluster_capacity_providers');
    expect(cluster.capacity_providers).toEqual([
      expect.stringContaining('aws_ecs_capacity_provider.capacity_capacity-provider_'),
      expect.stringContaining('aws_ecs_capacity_provider.capacity_spot-capacity-provider_'),
    ]);
  });
});

describe('Ec2Capacity cost options', () => {
  const synth = (props: Partial<Ec2CapacityProps>) => synthJson((scope) => testCapacity(scope, testNetwork(scope), props)).json;
  const lt = (json: SynthJson) => onlyResource(json, 'aws_launch_template');
  const insights = (json: SynthJson) => onlyResource(json, 'aws_ecs_cluster').setting;

  test('by default: Container Insights, detailed monitoring, and no credit specification (the family decides)', () => {
    const json = synth({});
    expect(insights(json)).toEqual([{ name: 'containerInsights', value: 'enabled' }]);
    expect(lt(json).monitoring).toEqual({ enabled: true });
    expect(lt(json).credit_specification).toBeUndefined();
  });

  test('standard CPU credits on a burstable type: target tracking never buys surplus credits', () => {
    expect(
      lt(synth({ instanceType: 't3.micro', instanceSpec: INSTANCE_TYPES['t3.micro'], cpuCredits: 'standard' })).credit_specification,
    ).toEqual({ cpu_credits: 'standard' });
  });

  test('Container Insights and detailed monitoring off', () => {
    const json = synth({ containerInsights: false, detailedMonitoring: false });
    expect(insights(json)).toEqual([{ name: 'containerInsights', value: 'disabled' }]);
    expect(lt(json).monitoring).toEqual({ enabled: false });
  });
});

describe('Ec2Capacity on Graviton', () => {
  test('the arm64 ECS-optimized AMI', () => {
    const { text } = synthCapacity({ instanceType: 't4g.small', instanceSpec: INSTANCE_TYPES['t4g.small'] });
    expect(text).toHaveDataSourceWithProperties(DataAwsSsmParameter, {
      name: '/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id',
    });
  });
});

describe('sizing is validated before anything is synthesized', () => {
  test("the tutorial's 870 MiB task does not fit a t2.micro", () => {
    const services = { app: { image: { uri: 'r.example/app:1' }, routing: { default: true }, container: { memoryMiB: 870 } } };
    expect(() => resolveEnvironment('dev', { instanceType: 't2.micro', services })).toThrow(
      'environment "dev": services.app.container.memoryMiB = 870 is not allowed; expected 128 to 726 MiB: t2.micro registers 982 MiB, less 256 reserved for the OS and agent',
    );
  });

  test('an instance type the product cannot size, without instanceSpec, is rejected', () => {
    expect(() => resolveEnvironment('dev', { instanceType: 'x1e.32xlarge' })).toThrow(
      'environment "dev": instanceType = "x1e.32xlarge" is not allowed; expected a type listed in src/compute/instance-type-table.ts, or another with instanceSpec { vcpus, memoryMiB, architecture }',
    );
  });
});
