import { Construct } from 'constructs';
import { DataAwsSsmParameter } from '@cdktf/provider-aws/lib/data-aws-ssm-parameter';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { NetworkInterface } from '@cdktf/provider-aws/lib/network-interface';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { TerraformResource, Testing } from 'cdktf';
import { EnvironmentConfig } from '../../src/environment/config';
import { addRegistryStack, registryEnvironments } from '../../src/app';
import { ENVIRONMENTS } from '../../src/environments';
import { RegistryStack } from '../../src/bootstrap/registry-stack';
import { environmentStackName, REGISTRY_STACK_NAME, STATE_STACK_NAME } from '../../src/shared/names';
import { EnvironmentStack } from '../../src/environment/environment-stack';
import { policyDocument } from '../../src/shared/iam';
import { StateBootstrapStack } from '../../src/bootstrap/state-bootstrap-stack';
import { DEMO_ENVIRONMENTS, demoConfig, demoConfigs } from '../support/fixtures';
import { address, everyEnvironment, synthStack, synthStacks, VARIANTS } from '../support/stacks';
import { RULES } from './rules';

// The deliberate breaks start from the demo, whose shape they know; src/environments.ts is the team's.
const dev = () => demoConfigs(['dev'])[0];
const prod = (settings = {}) => demoConfig('prod', settings);

// Every stack main.ts can synthesize from src/environments.ts, whatever it holds, and the registry it
// makes of them; plus the demo's example and the settings main.ts can also produce (HTTPS, Spot), and
// the remote-state bucket's bootstrap stack.
const stacks = [
  ...synthStacks(everyEnvironment()),
  synthRegistryStack(registryEnvironments()),
  ...[...synthStacks(demoConfigs(['microservices'])), synthStack(VARIANTS.cert()), synthStack(VARIANTS.spot()), synthRegistryStack()].map(
    (s) => ({ ...s, name: `demo ${s.name}` }),
  ),
  synthStateStack(),
];

/** The registry as main.ts makes it (of the demo's environments unless given), changed by `mutate` before synthesis. */
function synthRegistryStack(configs: readonly EnvironmentConfig[] = demoConfigs(), mutate: (stack: RegistryStack) => void = () => {}) {
  const stack = addRegistryStack(Testing.app(), configs);
  mutate(stack);
  return { name: stack.node.id, stack, json: JSON.parse(Testing.synth(stack)) };
}

/** The state bucket's stack with the CI roles, as HOST_NAME_GITHUB_REPOSITORY makes it; `mutate` breaks one thing. */
function synthStateStack(mutate: (stack: StateBootstrapStack) => void = () => {}) {
  const stack = new StateBootstrapStack(Testing.app(), STATE_STACK_NAME, {
    bucket: 'host-name-tf-state',
    region: 'us-east-1',
    github: { repository: 'my-org/host-name', environments: ['dev', 'prod'] },
  });
  mutate(stack);
  return { name: stack.node.id, stack, json: JSON.parse(Testing.synth(stack)) };
}

const tally = { checks: 0, failures: 0 };
afterAll(() => {
  const { checks, failures } = tally;
  process.stdout.write(`policy: ${RULES.length} rules x ${stacks.length} stacks = ${checks} checks, ${failures} failures\n`);
});

describe('every rule passes on every synthesized stack', () => {
  test('the stacks: every environment, the registry, the demo example, variants and registry, and the state bucket', () => {
    expect(stacks.map((s) => s.name)).toEqual([
      ...Object.keys(ENVIRONMENTS).map(environmentStackName),
      REGISTRY_STACK_NAME,
      'demo host-name-microservices',
      'demo host-name-cert',
      'demo host-name-spot',
      `demo ${REGISTRY_STACK_NAME}`,
      STATE_STACK_NAME,
    ]);
  });

  test.each(RULES.map((r) => [r.id, r] as const))('%s', (_, rule) => {
    const violations = stacks.flatMap((s) => {
      const found = rule.check(s.json).map((v) => ({ stack: s.name, ...v }));
      tally.checks += 1;
      tally.failures += found.length > 0 ? 1 : 0;
      return found;
    });
    expect(violations).toEqual([]);
  });
});

/** One deliberate break per rule: the config to build, what to change, and the violation expected. */
interface Breakage {
  /** A rule of the state bucket's stack: its violations once broken, and the one expected. */
  readonly state?: {
    readonly mutate: (stack: StateBootstrapStack) => void;
    readonly expected: (stack: StateBootstrapStack) => { resource: TerraformResource; reason: string };
  };
  readonly config?: () => EnvironmentConfig;
  readonly mutate?: (stack: EnvironmentStack) => void;
  readonly expected?: (stack: EnvironmentStack) => { resource: TerraformResource; suffix?: string; reason: string };

  /** Instead: a break of the registry stack (it owns the ECR repositories). */
  readonly registry?: {
    readonly mutate: (stack: RegistryStack) => void;
    readonly expected: (stack: RegistryStack) => { resource: TerraformResource; reason: string };
  };
}

/** An expiring lifecycle policy JSON with one rule of the given selection. */
const expiring = (selection: Record<string, unknown>) =>
  JSON.stringify({ rules: [{ rulePriority: 1, selection, action: { type: 'expire' } }] });

const child = <T>(scope: Construct, id: string) => scope.node.findChild(id) as T;
const instanceSg = (s: EnvironmentStack) => s.capacity.securityGroup.id;

// Note: addOverride appends to lists (cdktf deep-merges arrays), so lists are replaced with put*() setters.

/** Replaces fields of the (single) container definition; tokens inside survive the JSON round trip. */
function patchContainer(stack: EnvironmentStack, patch: Record<string, unknown>): void {
  const td = service(stack).taskDefinition;
  const [container] = JSON.parse(td.containerDefinitionsInput!);
  td.containerDefinitions = JSON.stringify([{ ...container, ...patch }]);
}
/** The stack's first service (the demo's dev and prod have one); with secrets, the one that has them. */
const service = (s: EnvironmentStack) => s.services.find((x) => x.secretsPolicy) ?? s.services[0];
const container = (s: EnvironmentStack) => ({ resource: service(s).taskDefinition, suffix: ` container ${service(s).name}` });
const microservices = () => demoConfigs(['microservices'])[0];
/** microservices' blue-green service (the example has one). */
const blueGreen = (s: EnvironmentStack) => s.services.find((x) => x.blueGreen)!;
/** dev's NAT instance (dev runs natMode 'instance'). */
const nat = (s: EnvironmentStack) => s.network.natInstance!;
/** The demo microservices' first service that runs on `runsOn` (it has one on each). */
const onFargate = (s: EnvironmentStack, runsOn: 'fargate' | 'fargate-spot') =>
  s.services.find((x) => x.name === microservices().services.find((c) => c.runsOn === runsOn)!.name)!;

const BREAKAGES: Record<string, Breakage> = {
  'sg-public-ingress-alb-only': {
    mutate: (s) => child<TerraformResource>(s.loadBalancer, 'ingress-80-0').addOverride('to_port', 65535),
    expected: (s) => ({ resource: child(s.loadBalancer, 'ingress-80-0'), reason: 'open to the internet on tcp 80-65535' }),
  },
  'sg-no-admin-ports': {
    mutate: (s) => child<TerraformResource>(s.loadBalancer, 'ingress-from-alb').addOverride('from_port', 0),
    expected: (s) => ({ resource: child(s.loadBalancer, 'ingress-from-alb'), reason: 'ingress covers port 22' }),
  },
  'sg-descriptions': {
    mutate: (s) => child<TerraformResource>(s.capacity, 'egress-https').addOverride('description', ' '),
    expected: (s) => ({ resource: child(s.capacity, 'egress-https'), reason: 'rule has no description' }),
  },
  'instance-ingress-from-alb-only': {
    mutate: (s) =>
      new VpcSecurityGroupIngressRule(s, 'from-vpc', {
        securityGroupId: instanceSg(s),
        description: 'App port from the whole VPC',
        ipProtocol: 'tcp',
        fromPort: 8000,
        toPort: 8000,
        cidrIpv4: '10.10.0.0/16',
      }),
    expected: (s) => ({ resource: child(s, 'from-vpc'), reason: 'other than the ALB security group' }),
  },
  'instances-no-public-ip': {
    config: VARIANTS.spot,
    mutate: (s) => s.capacity.launchTemplate.putNetworkInterfaces([{ associatePublicIpAddress: 'true', securityGroups: [instanceSg(s)] }]),
    expected: (s) => ({ resource: s.capacity.launchTemplate, reason: 'associate_public_ip_address = false' }),
  },
  'subnets-no-auto-public-ip': {
    mutate: (s) => s.network.privateSubnets[0].subnet.addOverride('map_public_ip_on_launch', true),
    expected: (s) => ({ resource: s.network.privateSubnets[0].subnet, reason: 'maps public IPs' }),
  },
  'instances-in-private-subnets': {
    mutate: (s) => (s.capacity.autoScalingGroup.vpcZoneIdentifier = s.network.publicSubnets.map((p) => p.subnet.id)),
    expected: (s) => ({ resource: s.capacity.autoScalingGroup, reason: 'routes to an internet gateway' }),
  },
  'default-sg-closed': {
    mutate: (s) =>
      child<TerraformResource>(s.network, 'default-sg').addOverride('ingress', [{ protocol: '-1', self: true, from_port: 0, to_port: 0 }]),
    expected: (s) => ({ resource: s.network.vpc, reason: 'default security group has rules' }),
  },
  'no-scale-to-zero-in-prod': {
    config: () => prod({ schedule: { enabled: true } }),
    expected: (s) => ({
      resource: s.schedule!.instanceActions[1],
      reason: 'scales the Auto Scaling group to zero, or lets it scale in to zero',
    }),
  },
  'protected-groups-scale-in-through-ecs': {
    // The stop action as it was: every size to 0 on the capacity provider's group.
    mutate: (s) => {
      s.schedule!.instanceActions[1].maxSize = 0;
      s.schedule!.instanceActions[1].desiredCapacity = 0;
    },
    expected: (s) => ({
      resource: s.schedule!.instanceActions[1],
      reason: `sets max_size and desired_capacity to 0 on ${address(s.capacity.autoScalingGroup)}, whose instances ECS protects from scale-in`,
    }),
  },
  'source-dest-check-nat-only': {
    mutate: (s) =>
      new NetworkInterface(s, 'rogue-eni', {
        subnetId: s.network.privateSubnets[0].subnet.id,
        sourceDestCheck: false,
        description: 'not a NAT',
      }),
    expected: (s) => ({ resource: child(s, 'rogue-eni'), reason: 'no route sends traffic to this interface' }),
  },
  'nat-ingress-private-subnets-only': {
    mutate: (s) =>
      new VpcSecurityGroupIngressRule(s, 'nat-from-vpc', {
        securityGroupId: nat(s).securityGroup.id,
        description: 'HTTPS from the whole VPC, public subnets too',
        ipProtocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        cidrIpv4: '10.10.0.0/16',
      }),
    expected: (s) => ({ resource: child(s, 'nat-from-vpc'), reason: 'NAT ingress from 10.10.0.0/16, not a private subnet' }),
  },
  'nat-instance-up-while-instances-are': {
    // The NAT starting at 07:30, half an hour after the container instances.
    mutate: (s) => (s.schedule!.natActions[0].recurrence = '30 7 * * 1-5'),
    expected: (s) => ({
      resource: nat(s).autoScalingGroup,
      reason: `the NAT instance is down at MON 07:00 while ${address(s.capacity.autoScalingGroup)} is up`,
    }),
  },
  'asg-no-existing-eni-with-subnets': {
    // The NAT group given its interface's subnet, as AWS refuses.
    mutate: (s) => {
      nat(s).autoScalingGroup.resetAvailabilityZones();
      nat(s).autoScalingGroup.vpcZoneIdentifier = [s.network.publicSubnets[0].subnet.id];
    },
    expected: (s) => ({
      resource: nat(s).autoScalingGroup,
      reason: `sets vpc_zone_identifier, but ${address(nat(s).launchTemplate)} names an existing network interface`,
    }),
  },
  'no-key-pairs': {
    mutate: (s) => (nat(s).launchTemplate.keyName = 'ops-key'),
    expected: (s) => ({ resource: nat(s).launchTemplate, reason: 'key_name is ops-key' }),
  },
  'flow-logs-in-prod': {
    config: () => prod({ flowLogs: false }),
    expected: (s) => ({ resource: s.network.vpc, reason: 'no flow log' }),
  },
  'ssm-ami-shown-in-plan': {
    // The NAT template reading the parameter's sensitive value.
    mutate: (s) => (nat(s).launchTemplate.imageId = child<DataAwsSsmParameter>(nat(s), 'ami').value),
    expected: (s) => ({
      resource: nat(s).launchTemplate,
      reason: "image_id reads the SSM parameter's value (sensitive in the plan), not insecure_value",
    }),
  },
  'launch-template-tags-what-launches-create': {
    // The container instances' template as it tagged before: instances and volumes only.
    mutate: (s) =>
      s.capacity.launchTemplate.putTagSpecifications(
        ['instance', 'volume'].map((resourceType) => ({ resourceType, tags: { Name: 'instance' } })),
      ),
    expected: (s) => ({ resource: s.capacity.launchTemplate, reason: 'tags no network-interface at launch' }),
  },
  'imdsv2-hop-limit-1': {
    mutate: (s) => s.capacity.launchTemplate.addOverride('metadata_options.http_put_response_hop_limit', 2),
    expected: (s) => ({ resource: s.capacity.launchTemplate, reason: 'hop limit is 2' }),
  },
  'ebs-encrypted': {
    mutate: (s) =>
      s.capacity.launchTemplate.putBlockDeviceMappings([{ deviceName: '/dev/xvda', ebs: { volumeSize: 30, encrypted: 'false' } }]),
    expected: (s) => ({ resource: s.capacity.launchTemplate, reason: 'not encrypted' }),
  },
  'user-data-no-secrets': {
    config: VARIANTS.spot,
    mutate: (s) =>
      s.capacity.launchTemplate.addOverride(
        'user_data',
        Buffer.from('#!/bin/bash\nexport AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n').toString('base64'),
      ),
    expected: (s) => ({ resource: s.capacity.launchTemplate, reason: 'an AWS access key id' }),
  },
  'alb-drops-invalid-headers': {
    mutate: (s) => s.loadBalancer.loadBalancer.addOverride('drop_invalid_header_fields', false),
    expected: (s) => ({ resource: s.loadBalancer.loadBalancer, reason: 'drop_invalid_header_fields' }),
  },
  'alb-tls12-policy': {
    config: VARIANTS.cert,
    mutate: (s) => s.loadBalancer.listener.addOverride('ssl_policy', 'ELBSecurityPolicy-2016-08'),
    expected: (s) => ({ resource: s.loadBalancer.listener, reason: 'allows TLS below 1.2' }),
  },
  'alb-tls13-policy': {
    config: VARIANTS.cert,
    // Refuses TLS 1.0/1.1 (alb-tls12-policy passes) but offers no TLS 1.3.
    mutate: (s) => s.loadBalancer.listener.addOverride('ssl_policy', 'ELBSecurityPolicy-TLS-1-2-2017-01'),
    expected: (s) => ({ resource: s.loadBalancer.listener, reason: 'is not a TLS 1.3 policy' }),
  },
  'alb-http-redirects-to-https': {
    config: VARIANTS.cert,
    mutate: (s) => s.loadBalancer.listeners[1].putDefaultAction([{ type: 'forward', targetGroupArn: service(s).route.targetGroup.arn }]),
    expected: (s) => ({ resource: s.loadBalancer.listeners[1], reason: 'other than a 301 to HTTPS' }),
  },
  'waf-in-production': {
    config: () => prod({ waf: { enabled: false } }),
    expected: (s) => ({ resource: s.loadBalancer.loadBalancer, reason: 'no WAF web ACL is associated' }),
  },
  'alb-deletion-protection-in-prod': {
    config: () => prod({ loadBalancer: { ...DEMO_ENVIRONMENTS.prod.loadBalancer, deletionProtection: false } }),
    expected: (s) => ({ resource: s.loadBalancer.loadBalancer, reason: 'deletion protection is off' }),
  },
  'alb-access-logs-in-prod': {
    config: () => prod({ loadBalancer: { ...DEMO_ENVIRONMENTS.prod.loadBalancer, accessLogs: false } }),
    expected: (s) => ({ resource: s.loadBalancer.loadBalancer, reason: 'access logs are off' }),
  },
  'target-group-health-check': {
    // "/" passes config validation; only the policy stops it.
    config: () => {
      const hostName = DEMO_ENVIRONMENTS.dev.services!['host-name'];
      return demoConfig('dev', {
        services: { 'host-name': { ...hostName, targetGroup: { healthCheckPath: '/' } } },
      });
    },
    expected: (s) => ({ resource: service(s).route.targetGroup, reason: 'health check path is /' }),
  },
  'ecs-container-insights': {
    config: () => prod({ containerInsights: false }),
    expected: (s) => ({ resource: s.capacity.cluster, reason: 'Container Insights is off' }),
  },
  'ecs-distinct-roles': {
    mutate: (s) => (service(s).taskDefinition.taskRoleArn = service(s).executionRole.arn),
    expected: (s) => ({ resource: service(s).taskDefinition, reason: 'are the same' }),
  },
  'ecs-task-role-no-wildcards': {
    mutate: (s) =>
      new IamRolePolicy(s, 'task-s3', {
        role: service(s).taskRole.id,
        policy: policyDocument({ Effect: 'Allow', Action: ['s3:GetObject', 's3:*'], Resource: 'arn:aws:s3:::some-bucket/*' }),
      }),
    expected: (s) => ({ resource: child(s, 'task-s3'), reason: 'task role allows wildcard actions' }),
  },
  'ecs-no-privileged-containers': {
    mutate: (s) => patchContainer(s, { privileged: true }),
    expected: (s) => ({ ...container(s), reason: 'container is privileged' }),
  },
  'ecs-read-only-root-filesystem': {
    mutate: (s) => patchContainer(s, { readonlyRootFilesystem: false }),
    expected: (s) => ({ ...container(s), reason: 'root filesystem is writable' }),
  },
  'ecs-container-logging': {
    mutate: (s) => patchContainer(s, { logConfiguration: undefined }),
    expected: (s) => ({ ...container(s), reason: 'no log configuration' }),
  },
  'ecs-no-host-namespaces': {
    mutate: (s) => (service(s).taskDefinition.networkMode = 'host'),
    expected: (s) => ({ resource: service(s).taskDefinition, reason: 'shares the host namespace: network_mode' }),
  },
  'ecs-no-plaintext-secrets': {
    mutate: (s) => patchContainer(s, { environment: [{ name: 'DB_PASSWORD', value: 'hunter2' }] }),
    expected: (s) => ({ ...container(s), reason: 'look secret: DB_PASSWORD' }),
  },
  'ecs-secrets-least-privilege': {
    config: microservices,
    mutate: (s) =>
      (service(s).secretsPolicy!.policy = policyDocument({ Effect: 'Allow', Action: ['ssm:GetParameters', 'kms:Decrypt'], Resource: '*' })),
    expected: (s) => ({ resource: service(s).secretsPolicy!, reason: 'execution role reads secrets on "*"' }),
  },
  'ecs-circuit-breaker-rollback': {
    mutate: (s) => service(s).service.addOverride('deployment_circuit_breaker.rollback', false),
    expected: (s) => ({ resource: service(s).service, reason: 'circuit breaker with rollback is off' }),
  },
  'codedeploy-service-no-ecs-rollout': {
    config: microservices,
    mutate: (s) => (blueGreen(s).service.forceNewDeployment = true),
    expected: (s) => ({ resource: blueGreen(s).service, reason: 'CODE_DEPLOY service sets force_new_deployment' }),
  },
  'codedeploy-service-ignores-what-codedeploy-moves': {
    config: microservices,
    // The ignore list as a rolling service has it.
    mutate: (s) => (blueGreen(s).service.lifecycle = { ignoreChanges: ['desired_count'] }),
    expected: (s) => ({
      resource: blueGreen(s).service,
      reason: 'does not ignore task_definition, load_balancer, capacity_provider_strategy',
    }),
  },
  'codedeploy-group-ecs-blue-green': {
    config: microservices,
    // The provider's default, for EC2 and on-premises instances.
    mutate: (s) => (blueGreen(s).blueGreen!.deploymentGroup.deploymentConfigName = 'CodeDeployDefault.OneAtATime'),
    expected: (s) => ({
      resource: blueGreen(s).blueGreen!.deploymentGroup,
      reason: 'deployment_config_name CodeDeployDefault.OneAtATime is not an ECS deployment configuration',
    }),
  },
  'codedeploy-group-alarms-are-deployment-alarms': {
    config: microservices,
    // Only the 5xx alarm: a replacement failing its health checks, or slow, would go on.
    mutate: (s) => {
      const alarms = s.serviceAlarms[s.services.indexOf(blueGreen(s))];
      blueGreen(s).blueGreen!.deploymentGroup.putAlarmConfiguration({ enabled: true, alarms: [alarms.target5xxRate.alarmName] });
    },
    expected: (s) => {
      const { unhealthyHosts, p99Latency } = s.serviceAlarms[s.services.indexOf(blueGreen(s))];
      const missed = [unhealthyHosts, p99Latency].map(address).sort().join(', ');
      return { resource: blueGreen(s).blueGreen!.deploymentGroup, reason: `misses the service's deployment alarms ${missed}` };
    },
  },
  'codedeploy-test-listener-not-public': {
    config: microservices,
    mutate: (s) =>
      new VpcSecurityGroupIngressRule(s, 'test-from-anywhere', {
        securityGroupId: s.loadBalancer.securityGroup.id,
        description: 'Test listener from anywhere',
        ipProtocol: 'tcp',
        fromPort: 8080,
        toPort: 8080,
        cidrIpv4: '0.0.0.0/0',
      }),
    expected: (s) => ({ resource: child(s, 'test-from-anywhere'), reason: 'to the internet' }),
  },
  'burstable-cpu-target-within-baseline': {
    // t3.small launches with unlimited credits; its baseline is 20% per vCPU.
    config: () =>
      prod({
        instanceType: 't3.small',
        services: { 'host-name': { ...DEMO_ENVIRONMENTS.prod.services!['host-name'], scaling: { cpuTargetPercent: 60 } } },
      }),
    expected: (s) => ({
      resource: service(s).scalingPolicies[1],
      reason: "CPU target 60% is above t3.small's 20% baseline with unlimited credits",
    }),
  },
  'ecs-service-waits-for-role-policies': {
    // dev runs ECS Exec: the task role has the ecs-exec policy.
    mutate: (s) =>
      (service(s).service.dependsOn = [...s.loadBalancer.listeners.map((l) => l.fqn), s.capacity.clusterCapacityProviders.fqn]),
    expected: (s) => ({ resource: service(s).service, reason: `does not depend on ${address(service(s).execPolicy!)}` }),
  },
  'ecs-desired-count-ignored': {
    mutate: (s) => (service(s).service.lifecycle = { ignoreChanges: [] }),
    expected: (s) => ({ resource: service(s).service, reason: 'desired_count is not in lifecycle.ignore_changes' }),
  },
  'ecs-service-no-public-ip': {
    mutate: (s) =>
      service(s).service.addOverride('network_configuration', { subnets: [s.network.publicSubnets[0].subnet.id], assign_public_ip: true }),
    expected: (s) => ({ resource: service(s).service, reason: 'tasks get public IPs' }),
  },
  'fargate-task-ingress-from-alb-only': {
    config: microservices,
    mutate: (s) =>
      new VpcSecurityGroupIngressRule(s, 'tasks-from-vpc', {
        securityGroupId: onFargate(s, 'fargate').taskSecurityGroup!.id,
        description: 'Container port from the whole VPC',
        ipProtocol: 'tcp',
        fromPort: 3000,
        toPort: 3000,
        cidrIpv4: '10.30.0.0/16',
      }),
    expected: (s) => ({
      resource: child(s, 'tasks-from-vpc'),
      reason: 'task ingress other than an ALB security group on the container port',
    }),
  },
  'ecs-strategy-no-mixed-providers': {
    config: microservices,
    mutate: (s) =>
      onFargate(s, 'fargate').service.putCapacityProviderStrategy([
        { capacityProvider: 'FARGATE', weight: 1, base: 0 },
        { capacityProvider: s.capacity.capacityProvider.name, weight: 1, base: 0 },
      ]),
    expected: (s) => ({ resource: onFargate(s, 'fargate').service, reason: 'strategy mixes FARGATE with Auto Scaling group providers' }),
  },
  'fargate-task-size-valid': {
    config: microservices,
    // The demo's 0.25 vCPU with 512 MiB is valid; 0.5 vCPU needs at least 1024.
    mutate: (s) => onFargate(s, 'fargate').taskDefinition.addOverride('cpu', '512'),
    expected: (s) => ({ resource: onFargate(s, 'fargate').taskDefinition, reason: 'memory 512 is not allowed with cpu 512 on Fargate' }),
  },
  'spot-interruption-budget': {
    config: microservices,
    mutate: (s) => onFargate(s, 'fargate-spot').route.targetGroup.addOverride('deregistration_delay', '100'),
    expected: (s) => ({ resource: onFargate(s, 'fargate-spot').service, reason: 'exceeds 120 s' }),
  },
  'asg-managed-by-ecs': {
    config: VARIANTS.spot,
    mutate: (s) => s.capacity.autoScalingGroup.addOverride('protect_from_scale_in', false),
    expected: (s) => ({ resource: s.capacity.autoScalingGroup, reason: 'protect_from_scale_in is not true' }),
  },
  'capacity-provider-group-unweighted': {
    config: VARIANTS.spot,
    mutate: (s) =>
      s.capacity.spotAutoScalingGroup!.addOverride('mixed_instances_policy.launch_template.override', [
        { instance_type: 't2.micro', weighted_capacity: '1' },
        { instance_type: 't3.micro', weighted_capacity: '2' },
      ]),
    expected: (s) => ({ resource: s.capacity.spotAutoScalingGroup!, reason: 'weighted_capacity on t2.micro, t3.micro' }),
  },
  'spot-capacity-provider-drains': {
    config: VARIANTS.spot,
    mutate: (s) => s.capacity.spotAutoScalingGroup!.addOverride('capacity_rebalance', false),
    expected: (s) => ({ resource: s.capacity.spotAutoScalingGroup!, reason: 'launches Spot without capacity_rebalance' }),
  },
  'capacity-provider-managed': {
    mutate: (s) => s.capacity.capacityProvider.addOverride('auto_scaling_group_provider.managed_draining', 'DISABLED'),
    expected: (s) => ({ resource: s.capacity.capacityProvider, reason: 'managed draining is not ENABLED' }),
  },
  'ecr-scan-on-push': {
    registry: {
      mutate: (r) => r.repositories[0].addOverride('image_scanning_configuration.scan_on_push', false),
      expected: (r) => ({ resource: r.repositories[0], reason: 'scan on push is off' }),
    },
  },
  'ecr-immutable-tags': {
    registry: {
      mutate: (r) => r.environmentRepositories[0].addOverride('image_tag_mutability', 'MUTABLE'),
      expected: (r) => ({ resource: r.environmentRepositories[0], reason: 'tags are mutable' }),
    },
  },
  'ecr-lifecycle-policy': {
    registry: {
      mutate: (r) => r.node.tryRemoveChild(r.lifecyclePolicies[0].node.id),
      expected: (r) => ({ resource: r.repositories[0], reason: 'no lifecycle policy' }),
    },
  },
  'ecr-kms-encryption': {
    registry: {
      mutate: (r) => r.repositories[0].putEncryptionConfiguration([{ encryptionType: 'AES256' }]),
      expected: (r) => ({ resource: r.repositories[0], reason: 'not encrypted with KMS' }),
    },
  },
  'ecr-lifecycle-keeps-tagged': {
    // What the registry had: the last 20 images of any tag.
    registry: {
      mutate: (r) => (r.lifecyclePolicies[0].policy = expiring({ tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 20 })),
      expected: (r) => ({
        resource: r.lifecyclePolicies[0],
        reason: 'rule 1 (tagStatus any, imageCountMoreThan) expires more than untagged images by age',
      }),
    },
  },
  'ecr-repositories-in-registry-only': {
    mutate: (s) => new EcrRepository(s, 'own-repository', { name: 'host-name-dev', imageTagMutability: 'IMMUTABLE' }),
    expected: (s) => ({ resource: child(s, 'own-repository'), reason: 'an environment stack owns an ECR repository' }),
  },
  'alarms-notify': {
    mutate: (s) => s.serviceAlarms[0].cpuHigh.resetAlarmActions(),
    expected: (s) => ({ resource: s.serviceAlarms[0].cpuHigh, reason: 'notifies no SNS topic of the stack' }),
  },
  'sns-topic-cmk': {
    mutate: (s) => (s.alarmTopic.topic.kmsMasterKeyId = 'alias/aws/sns'),
    expected: (s) => ({
      resource: s.alarmTopic.topic,
      reason: 'not encrypted with a customer managed key of the stack (kms_master_key_id alias/aws/sns)',
    }),
  },
  'sns-tls-only': {
    mutate: (s) =>
      (s.alarmTopic.policy.policy = policyDocument({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: s.alarmTopic.topic.arn,
      })),
    expected: (s) => ({ resource: s.alarmTopic.topic, reason: 'no topic policy denies insecure transport' }),
  },
  'ecs-exec-logging-encrypted': {
    mutate: (s) => s.execLogging!.logGroup.resetKmsKeyId(),
    expected: (s) => ({ resource: s.capacity.cluster, reason: 'is not encrypted with KMS' }),
  },
  'kms-key-rotation': {
    mutate: (s) => (s.alarmTopic.key.key.enableKeyRotation = false),
    expected: (s) => ({ resource: s.alarmTopic.key.key, reason: 'key rotation is off' }),
  },
  'log-retention': {
    mutate: (s) => service(s).logGroup.resetRetentionInDays(),
    expected: (s) => ({ resource: service(s).logGroup, reason: 'retention_in_days is unset' }),
  },
  'iam-no-wildcard-admin': {
    mutate: (s) =>
      new IamRolePolicy(s, 'admin', {
        role: s.capacity.instanceRole.id,
        policy: policyDocument({ Effect: 'Allow', Action: '*', Resource: '*' }),
      }),
    expected: (s) => ({ resource: child(s, 'admin'), reason: 'allows Action "*"' }),
  },
  'iam-managed-policy-allow-list': {
    mutate: (s) =>
      new IamRolePolicyAttachment(s, 'admin', {
        role: s.capacity.instanceRole.name,
        policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
      }),
    expected: (s) => ({ resource: child(s, 'admin'), reason: 'AdministratorAccess is not allow-listed' }),
  },
  'github-pr-role-denies-secrets': {
    state: {
      // ReadOnlyAccess alone: it allows ssm:GetParameter*.
      mutate: (s) => s.ci!.node.tryRemoveChild('plan-deny-secrets'),
      expected: (s) => ({
        resource: s.ci!.planRole,
        reason: 'no explicit Deny covers ssm:GetParameter*, secretsmanager:GetSecretValue, kms:Decrypt',
      }),
    },
  },
  'iam-trust-specific-services': {
    mutate: (s) =>
      (service(s).taskRole.assumeRolePolicy = policyDocument({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' })),
    expected: (s) => ({ resource: service(s).taskRole, reason: 'trust policy allows [{"AWS":"*"}]' }),
  },
  's3-public-access-block': {
    config: prod,
    mutate: (s) =>
      child<TerraformResource>(s.loadBalancer.accessLogs!, 'public-access-block').addOverride('restrict_public_buckets', false),
    expected: (s) => ({ resource: s.loadBalancer.accessLogs!.bucket, reason: 'no public access block' }),
  },
  's3-encryption': {
    config: prod,
    mutate: (s) => s.loadBalancer.accessLogs!.node.tryRemoveChild('encryption'),
    expected: (s) => ({ resource: s.loadBalancer.accessLogs!.bucket, reason: 'no default server-side encryption' }),
  },
  's3-tls-only': {
    config: prod,
    mutate: (s) =>
      (s.loadBalancer.accessLogs!.policy.policy = policyDocument({
        Effect: 'Allow',
        Principal: { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: `${s.loadBalancer.accessLogs!.bucket.arn}/*`,
      })),
    expected: (s) => ({ resource: s.loadBalancer.accessLogs!.bucket, reason: 'no policy denies insecure transport' }),
  },
};

describe('the HTTPS rules catch more than one way to get it wrong', () => {
  const rule = (id: string) => RULES.find((r) => r.id === id)!;

  test('alb-http-redirects-to-https: plain HTTP in an environment that does not set allowPlainHttp', () => {
    const b = synthStack(demoConfig('dev', { allowPlainHttp: false }));
    expect(rule('alb-http-redirects-to-https').check(b.json)).toContainEqual({
      address: address(b.stack.loadBalancer.listener),
      reason: expect.stringContaining('other than a 301 to HTTPS'),
    });
  });

  test('alb-http-redirects-to-https: a 302, and a rule on the HTTP listener that forwards', () => {
    const b = synthStack(VARIANTS.cert(), (s) => {
      s.loadBalancer.listeners[1].putDefaultAction([
        { type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_302' } },
      ]);
      service(s).route.listenerRule?.addOverride('listener_arn', s.loadBalancer.listeners[1].arn);
      s.loadBalancer.blockedPathsRule!.addOverride('listener_arn', s.loadBalancer.listeners[1].arn);
    });
    const found = rule('alb-http-redirects-to-https').check(b.json);
    expect(found).toContainEqual({
      address: address(b.stack.loadBalancer.listeners[1]),
      reason: expect.stringContaining('other than a 301'),
    });
    expect(found).toContainEqual({
      address: address(b.stack.loadBalancer.blockedPathsRule!),
      reason: 'rule on an HTTP listener serves plain HTTP',
    });
  });

  test('waf-in-production: a web ACL without the managed rule groups or the rate limit', () => {
    const b = synthStack(prod(), (s) => s.webAcl!.webAcl.putRule([]));
    expect(rule('waf-in-production').check(b.json)).toEqual([
      {
        address: address(b.stack.loadBalancer.loadBalancer),
        reason: expect.stringMatching(
          /lacks a rate-based rule, AWSManagedRulesCommonRuleSet, AWSManagedRulesKnownBadInputsRuleSet, AWSManagedRulesAmazonIpReputationList$/,
        ),
      },
    ]);
  });

  test('the production rules follow the production flag, not the name', () => {
    const notProd = synthStack(prod({ production: false, waf: { enabled: false } }));
    expect(rule('waf-in-production').check(notProd.json)).toEqual([]);
    const stage = synthStack(demoConfig('prod', { waf: { enabled: false } }, 'stage'));
    expect(rule('waf-in-production').check(stage.json)).toHaveLength(1);
  });
});

describe('the secret rules catch more than one way to get it wrong', () => {
  const rule = (id: string) => RULES.find((r) => r.id === id)!;
  const broken = (mutate: (s: EnvironmentStack) => void) => synthStack(microservices(), mutate);

  test('ecs-no-plaintext-secrets: a secret whose valueFrom is the value itself', () => {
    const b = broken((s) => patchContainer(s, { secrets: [{ name: 'DATABASE_PASSWORD', valueFrom: 'hunter2' }] }));
    expect(rule('ecs-no-plaintext-secrets').check(b.json)).toContainEqual({
      ...address2(container(b.stack)),
      reason: expect.stringContaining('valueFrom is not an SSM parameter'),
    });
  });

  test('ecs-secrets-least-privilege: a grant on a secret no container references, and a reference without a grant', () => {
    const other = 'arn:aws:ssm:us-east-1:123456789012:parameter/someone-elses';
    const b = broken(
      (s) => (service(s).secretsPolicy!.policy = policyDocument({ Effect: 'Allow', Action: 'ssm:GetParameters', Resource: [other] })),
    );
    const reasons = rule('ecs-secrets-least-privilege')
      .check(b.json)
      .map((v) => v.reason);
    expect(reasons).toContainEqual(`execution role reads ${other}, which no container references`);
    expect(reasons).toContainEqual(
      expect.stringMatching(/^a container references arn:aws:ssm:.*db-password, which the execution role cannot read$/),
    );
  });

  test('ecs-secrets-least-privilege: an execution role allowed more than reading secrets', () => {
    const b = broken(
      (s) =>
        (service(s).secretsPolicy!.policy = policyDocument({
          Effect: 'Allow',
          Action: ['ssm:GetParameters', 's3:GetObject'],
          Resource: ['arn:aws:ssm:us-east-1:123456789012:parameter/host-name-microservices/threads/db-password'],
        })),
    );
    expect(
      rule('ecs-secrets-least-privilege')
        .check(b.json)
        .map((v) => v.reason),
    ).toEqual(['execution role allows s3:GetObject']);
  });

  test('ecs-secrets-least-privilege: secrets referenced with no policy at all', () => {
    const b = broken((s) => service(s).node.tryRemoveChild('secrets-policy'));
    expect(rule('ecs-secrets-least-privilege').check(b.json)).toEqual([
      {
        address: address(service(b.stack).executionRole),
        reason: 'containers reference secrets, but the execution role has no policy to read them',
      },
    ]);
  });
});

describe('the operations rules catch more than one way to get it wrong', () => {
  const rule = (id: string) => RULES.find((r) => r.id === id)!;

  test('sns-topic-cmk: a key of the stack whose policy leaves CloudWatch out', () => {
    const b = synthStack(
      dev(),
      (s) =>
        (s.alarmTopic.key.key.policy = policyDocument({
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::123456789012:root' },
          Action: 'kms:*',
          Resource: '*',
        })),
    );
    expect(rule('sns-topic-cmk').check(b.json)).toEqual([
      {
        address: address(b.stack.alarmTopic.topic),
        reason: `key ${address(b.stack.alarmTopic.key.key)} does not let cloudwatch.amazonaws.com Decrypt and GenerateDataKey*`,
      },
    ]);
  });

  test('ecs-exec-logging-encrypted: exec allowed, sessions not logged', () => {
    const b = synthStack(dev(), (s) => s.capacity.cluster.addOverride('configuration.execute_command_configuration.logging', 'DEFAULT'));
    expect(rule('ecs-exec-logging-encrypted').check(b.json)).toEqual([
      { address: address(b.stack.capacity.cluster), reason: 'services allow ECS Exec but sessions are not logged (logging DEFAULT)' },
    ]);
  });

  test('ecs-exec-logging-encrypted: no exec, no requirement (prod)', () => {
    expect(rule('ecs-exec-logging-encrypted').check(synthStack(prod()).json)).toEqual([]);
  });
});

describe('the CI role rules catch more than one way to get it wrong', () => {
  const rule = (id: string) => RULES.find((r) => r.id === id)!;
  const trust = (condition: Record<string, Record<string, unknown>>) => (s: StateBootstrapStack) =>
    (s.ci!.pushRole.assumeRolePolicy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { Federated: s.ci!.provider.arn }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: condition },
      ],
    }));

  test('a wildcard subject: any branch or pull request of the repository may assume the push role', () => {
    const b = synthStateStack(
      trust({
        StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
        StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:my-org/host-name:*' },
      }),
    );
    expect(
      rule('iam-trust-specific-services')
        .check(b.json)
        .map((v) => v.address),
    ).toEqual([address(b.stack.ci!.pushRole)]);
    expect(rule('github-pr-role-denies-secrets').check(b.json)).toContainEqual({
      address: address(b.stack.ci!.pushRole),
      reason: expect.stringContaining('no explicit Deny covers ssm:GetParameter*'),
    });
  });

  test('a parameter Deny that spares more than /aws/service/ does not count', () => {
    const b = synthStateStack(
      (s) =>
        (s.ci!.planDenySecrets.policy = policyDocument(
          { Effect: 'Deny', Action: 'ssm:GetParameter*', NotResource: 'arn:aws:ssm:*:*:parameter/*' },
          { Effect: 'Deny', Action: ['secretsmanager:GetSecretValue', 'kms:Decrypt'], Resource: '*' },
        )),
    );
    expect(rule('github-pr-role-denies-secrets').check(b.json)).toEqual([
      { address: address(b.stack.ci!.planRole), reason: 'pull requests can assume it, and no explicit Deny covers ssm:GetParameter*' },
    ]);
  });

  test('PowerUserAccess on a role that is not a CI role', () => {
    const b = synthStack(
      dev(),
      (s) =>
        new IamRolePolicyAttachment(s, 'power', {
          role: s.capacity.instanceRole.name,
          policyArn: 'arn:aws:iam::aws:policy/PowerUserAccess',
        }),
    );
    expect(rule('iam-managed-policy-allow-list').check(b.json)).toEqual([
      { address: address(child(b.stack, 'power')), reason: 'policy arn:aws:iam::aws:policy/PowerUserAccess is not allow-listed' },
    ]);
  });
});

describe('the CodeDeploy rules catch more than one way to get it wrong', () => {
  const rule = (id: string) => RULES.find((r) => r.id === id)!;
  const broken = (mutate: (s: EnvironmentStack) => void) => synthStack(microservices(), mutate);

  test('codedeploy-service-no-ecs-rollout: what a rolling service sets, on a CODE_DEPLOY one', () => {
    const b = broken((s) => {
      const svc = blueGreen(s).service;
      svc.putDeploymentCircuitBreaker({ enable: true, rollback: true });
      svc.waitForSteadyState = true;
      svc.putAlarms({ enable: true, rollback: true, alarmNames: ['x'] });
    });
    expect(rule('codedeploy-service-no-ecs-rollout').check(b.json)).toEqual([
      {
        address: address(blueGreen(b.stack).service),
        reason: 'CODE_DEPLOY service sets deployment_circuit_breaker, alarms, wait_for_steady_state',
      },
    ]);
  });

  test('codedeploy-service-ignores-what-codedeploy-moves: a listener rule that still owns its forward, a service no group deploys', () => {
    const rule_ = (s: EnvironmentStack) => blueGreen(s).route.listenerRule!;
    const b = broken((s) => {
      rule_(s).lifecycle = {};
      s.node.findChild(blueGreen(s).node.id).node.tryRemoveChild('codedeploy');
    });
    expect(rule('codedeploy-service-ignores-what-codedeploy-moves').check(b.json)).toEqual([
      { address: address(blueGreen(b.stack).service), reason: 'no CodeDeploy deployment group deploys it' },
      {
        address: address(rule_(b.stack)),
        reason: `forwards to ${address(blueGreen(b.stack).service)}'s target groups but does not ignore action`,
      },
    ]);
  });

  test('codedeploy-service-ignores-what-codedeploy-moves: a test listener that owns its default action, destroyed after the second target group', () => {
    const b = broken((s) => {
      const listener = blueGreen(s).route.blueGreen!.testListener!;
      listener.lifecycle = {};
      listener.dependsOn = [];
    });
    const listener = address(blueGreen(b.stack).route.blueGreen!.testListener!);
    expect(rule('codedeploy-service-ignores-what-codedeploy-moves').check(b.json)).toEqual([
      {
        address: listener,
        reason: `forwards to ${address(blueGreen(b.stack).service)}'s target groups but does not ignore default_action`,
      },
      {
        address: listener,
        reason: `does not depend on ${address(blueGreen(b.stack).route.blueGreen!.alternateTargetGroup)}, which CodeDeploy may forward it to`,
      },
    ]);
  });

  test('codedeploy-group-ecs-blue-green: in place, and rolling back on failure only', () => {
    const b = broken((s) => {
      const group = blueGreen(s).blueGreen!.deploymentGroup;
      group.putDeploymentStyle({ deploymentType: 'IN_PLACE', deploymentOption: 'WITH_TRAFFIC_CONTROL' });
      group.putAutoRollbackConfiguration({ enabled: true, events: ['DEPLOYMENT_FAILURE'] });
    });
    expect(rule('codedeploy-group-ecs-blue-green').check(b.json)).toEqual([
      {
        address: address(blueGreen(b.stack).blueGreen!.deploymentGroup),
        reason: 'deployment_style is IN_PLACE/WITH_TRAFFIC_CONTROL; automatic rollback is off for DEPLOYMENT_STOP_ON_ALARM',
      },
    ]);
  });

  test('codedeploy-group-alarms-are-deployment-alarms: an alarm on one target group of the pair, and monitoring off', () => {
    const b = broken((s) => {
      const alarms = s.serviceAlarms[s.services.indexOf(blueGreen(s))];
      // The p99 alarm as a rolling service has it: the first target group only.
      alarms.p99Latency.resetMetricQuery();
      alarms.p99Latency.metricName = 'TargetResponseTime';
      alarms.p99Latency.namespace = 'AWS/ApplicationELB';
      alarms.p99Latency.period = 60;
      alarms.p99Latency.extendedStatistic = 'p99';
      alarms.p99Latency.dimensions = {
        LoadBalancer: s.loadBalancer.loadBalancer.arnSuffix,
        TargetGroup: blueGreen(s).route.targetGroup.arnSuffix,
      };
      blueGreen(s).blueGreen!.deploymentGroup.addOverride('alarm_configuration.enabled', false);
    });
    const alarms = b.stack.serviceAlarms[b.stack.services.indexOf(blueGreen(b.stack))];
    expect(rule('codedeploy-group-alarms-are-deployment-alarms').check(b.json)).toEqual([
      { address: address(blueGreen(b.stack).blueGreen!.deploymentGroup), reason: 'alarm monitoring is off' },
      {
        address: address(blueGreen(b.stack).blueGreen!.deploymentGroup),
        reason: `${address(alarms.p99Latency)} watch not both target groups of the pair`,
      },
    ]);
  });

  test('iam-managed-policy-allow-list: the CodeDeploy policy on a role ECS tasks assume', () => {
    const b = broken(
      (s) =>
        new IamRolePolicyAttachment(s, 'codedeploy-on-task-role', {
          role: blueGreen(s).taskRole.name,
          policyArn: 'arn:aws:iam::aws:policy/AWSCodeDeployRoleForECS',
        }),
    );
    expect(rule('iam-managed-policy-allow-list').check(b.json)).toEqual([
      {
        address: address(child(b.stack, 'codedeploy-on-task-role')),
        reason: 'policy arn:aws:iam::aws:policy/AWSCodeDeployRoleForECS is not allow-listed',
      },
    ]);
  });
});

describe('ecr-lifecycle-keeps-tagged catches every way to expire a running image', () => {
  const rule = RULES.find((r) => r.id === 'ecr-lifecycle-keeps-tagged')!;
  const withPolicy = (policy: string) => synthRegistryStack(undefined, (r) => (r.lifecyclePolicies[0].policy = policy)).json;

  test.each([
    ['tagged images by count', { tagStatus: 'tagged', tagPrefixList: ['src-'], countType: 'imageCountMoreThan', countNumber: 20 }],
    [
      'tagged images by age',
      { tagStatus: 'tagged', tagPrefixList: ['src-'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 90 },
    ],
    ['any image by age', { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 90 }],
    ['untagged images by count', { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 5 }],
  ])('%s', (_, selection) => {
    expect(rule.check(withPolicy(expiring(selection)))).toHaveLength(1);
  });

  test('untagged images by age pass, and a policy that is not literal JSON fails', () => {
    expect(
      rule.check(withPolicy(expiring({ tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 }))),
    ).toEqual([]);
    expect(rule.check(withPolicy('${file("policy.json")}'))).toEqual([
      expect.objectContaining({ reason: expect.stringContaining('not literal JSON') }),
    ]);
  });
});

describe('the Fargate rules catch more than one way to get it wrong', () => {
  const rule = (id: string) => RULES.find((r) => r.id === id)!;
  const broken = (mutate: (s: EnvironmentStack) => void) => synthStack(microservices(), mutate);

  test("fargate-task-ingress-from-alb-only: the ALB's group on another port, and an ALB group with no way out to the tasks", () => {
    const b = broken((s) => {
      child<TerraformResource>(s.loadBalancer, 'ingress-to-posts-tasks').addOverride('to_port', 3001);
      s.loadBalancer.node.tryRemoveChild('egress-to-threads-tasks');
    });
    const reasons = rule('fargate-task-ingress-from-alb-only')
      .check(b.json)
      .map((v) => v.reason);
    expect(reasons).toContainEqual('task ingress other than an ALB security group on the container port (3000)');
    expect(reasons).toContainEqual(expect.stringMatching(/^the ALB security group has no egress to aws_security_group\..* on port 3000$/));
  });

  test('fargate-task-size-valid: a FARGATE task definition in bridge mode', () => {
    const b = broken((s) => onFargate(s, 'fargate-spot').taskDefinition.addOverride('network_mode', 'bridge'));
    expect(rule('fargate-task-size-valid').check(b.json)).toEqual([
      { address: address(onFargate(b.stack, 'fargate-spot').taskDefinition), reason: 'network_mode bridge on Fargate (awsvpc only)' },
    ]);
  });

  test("ecs-strategy-no-mixed-providers: a cluster's default strategy that mixes them", () => {
    const b = broken((s) =>
      s.capacity.clusterCapacityProviders.putDefaultCapacityProviderStrategy([
        { capacityProvider: s.capacity.capacityProvider.name, weight: 1, base: 0 },
        { capacityProvider: 'FARGATE_SPOT', weight: 1, base: 0 },
      ]),
    );
    expect(rule('ecs-strategy-no-mixed-providers').check(b.json)).toEqual([
      {
        address: address(b.stack.capacity.clusterCapacityProviders),
        reason: 'strategy mixes FARGATE_SPOT with Auto Scaling group providers',
      },
    ]);
  });

  test('spot-interruption-budget: a container stop timeout that overruns the warning', () => {
    const b = broken((s) => {
      const td = onFargate(s, 'fargate-spot').taskDefinition;
      const [c] = JSON.parse(td.containerDefinitionsInput!);
      td.containerDefinitions = JSON.stringify([{ ...c, stopTimeout: 100 }]);
    });
    expect(rule('spot-interruption-budget').check(b.json)).toEqual([
      {
        address: address(onFargate(b.stack, 'fargate-spot').service),
        reason: expect.stringMatching(/deregistration_delay 30 \+ stopTimeout 100 exceeds 120 s$/),
      },
    ]);
  });

  test('spot-interruption-budget: an EC2 service whose strategy includes the Spot group drains longer than the notice', () => {
    const ec2 = (s: EnvironmentStack) => s.services.find((x) => !x.taskSecurityGroup)!;
    const b = broken((s) => ec2(s).route.targetGroup.addOverride('deregistration_delay', '100'));
    expect(b.stack.capacity.spotCapacityProvider).toBeDefined();
    expect(rule('spot-interruption-budget').check(b.json)).toEqual([
      {
        address: address(ec2(b.stack).service),
        reason: expect.stringMatching(/deregistration_delay 100 \+ stopTimeout 30 exceeds 120 s$/),
      },
    ]);
  });
});

/** A container's violation address. */
function address2(c: { resource: TerraformResource; suffix: string }) {
  return { address: address(c.resource) + c.suffix };
}

describe('the NAT instance is held to the instance rules, and its exceptions are narrow', () => {
  const rule = (id: string) => RULES.find((r) => r.id === id)!;
  const broken = (mutate: (s: EnvironmentStack) => void) => synthStack(dev(), mutate);

  test('imdsv2-hop-limit-1: IMDSv1 on the NAT launch template', () => {
    const b = broken((s) => nat(s).launchTemplate.addOverride('metadata_options.http_tokens', 'optional'));
    expect(rule('imdsv2-hop-limit-1').check(b.json)).toEqual([
      { address: address(nat(b.stack).launchTemplate), reason: 'http_tokens is optional, not required' },
    ]);
  });

  test('ebs-encrypted: an unencrypted NAT root volume', () => {
    const b = broken((s) => nat(s).launchTemplate.addOverride('block_device_mappings.0.ebs.encrypted', 'false'));
    expect(rule('ebs-encrypted').check(b.json)).toEqual([
      { address: address(nat(b.stack).launchTemplate), reason: 'an EBS mapping is not encrypted' },
    ]);
  });

  test('sg-no-admin-ports: SSH to the NAT instance', () => {
    const b = broken(
      (s) =>
        new VpcSecurityGroupIngressRule(s, 'nat-ssh', {
          securityGroupId: nat(s).securityGroup.id,
          description: 'SSH',
          ipProtocol: 'tcp',
          fromPort: 22,
          toPort: 22,
          cidrIpv4: '10.10.128.0/20',
        }),
    );
    expect(rule('sg-no-admin-ports').check(b.json)).toContainEqual({
      address: address(child(b.stack, 'nat-ssh')),
      reason: 'ingress covers port 22',
    });
  });

  test('nat-instance-up-while-instances-are: a NAT that stops before the instances, or in another time zone', () => {
    const early = broken((s) => (s.schedule!.natActions[1].recurrence = '0 19 * * 1-5'));
    expect(rule('nat-instance-up-while-instances-are').check(early.json)).toEqual([
      {
        address: address(nat(early.stack).autoScalingGroup),
        reason: `the NAT instance is down at MON 19:00 while ${address(early.stack.capacity.autoScalingGroup)} is up`,
      },
    ]);
    const zoned = broken((s) => s.schedule!.natActions.forEach((a) => (a.timeZone = 'Europe/Berlin')));
    expect(rule('nat-instance-up-while-instances-are').check(zoned.json)).toEqual([
      {
        address: address(nat(zoned.stack).autoScalingGroup),
        reason: `scheduled in Europe/Berlin, ${address(zoned.stack.capacity.autoScalingGroup)} in UTC`,
      },
    ]);
  });

  test('launch-template-tags-what-launches-create: the NAT template is spared network-interface only, not volume', () => {
    const b = broken((s) => nat(s).launchTemplate.putTagSpecifications([{ resourceType: 'instance', tags: { Name: 'nat' } }]));
    expect(rule('launch-template-tags-what-launches-create').check(b.json)).toEqual([
      { address: address(nat(b.stack).launchTemplate), reason: 'tags no volume at launch' },
    ]);
  });

  test('source-dest-check-nat-only: the NAT interface itself, once no route uses it', () => {
    const b = broken((s) =>
      s.network.privateRouteTables.forEach((_, i) =>
        s.network.node.tryRemoveChild(`private-${s.network.availabilityZones[i]}-default-route`),
      ),
    );
    expect(rule('source-dest-check-nat-only').check(b.json)).toEqual([
      {
        address: address(nat(b.stack).networkInterface),
        reason: 'source/destination check is off, but no route sends traffic to this interface',
      },
    ]);
  });

  test('instances-in-private-subnets and instances-no-public-ip: the exception is the NAT interface, not the public subnet', () => {
    // A container launch template that names the NAT interface is a NAT instance too; one that only
    // asks for a public address in a public subnet is not.
    const b = broken((s) => {
      s.capacity.launchTemplate.putNetworkInterfaces([{ associatePublicIpAddress: 'true', securityGroups: [instanceSg(s)] }]);
      s.capacity.autoScalingGroup.vpcZoneIdentifier = [s.network.publicSubnets[0].subnet.id];
    });
    expect(
      rule('instances-no-public-ip')
        .check(b.json)
        .map((v) => v.address),
    ).toEqual([address(b.stack.capacity.launchTemplate)]);
    expect(
      rule('instances-in-private-subnets')
        .check(b.json)
        .map((v) => v.address),
    ).toEqual([address(b.stack.capacity.autoScalingGroup)]);
  });
});

describe('spot-capacity-provider-drains: the agent setting', () => {
  test('a Spot group whose template does not drain at the interruption notice is caught', () => {
    const broken = synthStack(VARIANTS.spot(), (s) =>
      s.node
        .findAll()
        .filter((c): c is LaunchTemplate => c instanceof LaunchTemplate && c.node.id === 'spot-launch-template')
        .forEach((lt) => lt.addOverride('user_data', '${base64encode("#!/bin/bash\n")}')),
    );
    const spot = broken.stack.capacity.spotAutoScalingGroup!;
    expect(RULES.find((r) => r.id === 'spot-capacity-provider-drains')!.check(broken.json)).toEqual([
      { address: address(spot), reason: expect.stringContaining('lacks ECS_ENABLE_SPOT_INSTANCE_DRAINING=true') },
    ]);
  });
});

describe('every rule catches a deliberately broken stack', () => {
  test('every rule has a breakage, and every breakage a rule', () => {
    expect(Object.keys(BREAKAGES).sort()).toEqual(RULES.map((r) => r.id).sort());
  });

  test.each(RULES.map((r) => [r.id, r] as const))('%s', (id, rule) => {
    const breakage = BREAKAGES[id];
    if (breakage.state) {
      const state = synthStateStack(breakage.state.mutate);
      const { resource, reason } = breakage.state.expected(state.stack);
      expect(rule.check(state.json)).toContainEqual({ address: address(resource), reason: expect.stringContaining(reason) });
      return;
    }
    if (breakage.registry) {
      const broken = synthRegistryStack(undefined, breakage.registry.mutate);
      const { resource, reason } = breakage.registry.expected(broken.stack);
      expect(rule.check(broken.json)).toContainEqual({ address: address(resource), reason: expect.stringContaining(reason) });
      return;
    }
    const broken = synthStack((breakage.config ?? dev)(), breakage.mutate);
    const { resource, suffix = '', reason } = breakage.expected!(broken.stack);
    expect(rule.check(broken.json)).toContainEqual({ address: address(resource) + suffix, reason: expect.stringContaining(reason) });
  });
});
