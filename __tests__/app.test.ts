import { Testing } from 'cdktf';
import { addEnvironmentStacks, addStateBootstrapStacks } from '../src/app';
import { blueGreenNames, environmentStackName, serviceTargetGroupName } from '../src/shared/names';
import { isFargate } from '../src/services/fargate';
import { EnvironmentConfig } from '../src/environment/config';
import { withImage } from '../src/environment/select';
import { DEFAULT_SERVICES } from '../src/services/settings';
import { EnvironmentStack, WORKLOAD_DIR } from '../src/environment/environment-stack';
import { sourceHash } from '../src/services/source-hash';
import { DEMO_ENVIRONMENTS, demoConfigs, TEST_CERT, TEST_IMAGE, testConfig } from './support/fixtures';
import { everyEnvironment } from './support/stacks';
import { SynthJson } from './support/synth';

function synthStack(stack: EnvironmentStack): SynthJson {
  return JSON.parse(Testing.synth(stack));
}

/**
 * The absolute workload path differs per machine, and the source hash changes with every app
 * edit (container-image.test.ts covers it): the snapshot keeps placeholders for both.
 */
function masked(json: SynthJson): string {
  const hash = sourceHash(WORKLOAD_DIR);
  return JSON.stringify(json, null, 2)
    .split(WORKLOAD_DIR)
    .join('<WORKLOAD_DIR>')
    .split(hash)
    .join('<SOURCE_HASH>')
    .split(hash.slice(0, 20))
    .join('<SOURCE_HASH_20>');
}

const SHARED_OUTPUTS = [
  'alarm_topic_arn',
  'alb_dns_name',
  'autoscaling_group_name',
  'base_url',
  'capacity_provider_name',
  'cluster_name',
  'dashboard_name',
  'load_balancer_arn',
  'services',
  'vpc_id',
];

/** What is wrong with a stack's outputs for `config`: a missing or extra output, or a service's entry. */
function outputProblems(config: EnvironmentConfig, json: SynthJson): string[] {
  const https = config.domain !== undefined || config.loadBalancer.certificateArn !== undefined;
  const expected = [
    ...SHARED_OUTPUTS,
    ...(config.natMode === 'instance' ? ['nat_autoscaling_group_name', 'nat_network_interface_id'] : []),
    ...(config.spot.enabled ? ['spot_autoscaling_group_name', 'spot_capacity_provider_name'] : []),
    ...(https ? ['https_listener_arn'] : []),
    ...(config.domain ? ['domain'] : []),
    ...(config.waf.enabled ? ['web_acl_arn'] : []),
    ...(config.services.some((s) => s.deployment.blueGreen) ? ['blue_green'] : []),
  ].sort();
  const actual = Object.keys(json.output ?? {}).sort();
  const problems = [
    ...expected.filter((o) => !actual.includes(o)).map((o) => `missing output ${o}`),
    ...actual.filter((o) => !expected.includes(o)).map((o) => `unexpected output ${o}`),
  ];
  const services = json.output?.services?.value ?? {};
  for (const s of config.services) {
    const entry = services[s.name];
    if (!entry) {
      problems.push(`services: no entry for ${s.name}`);
      continue;
    }
    const keys = ['image_uri', 'log_group', 'service_name', 'target_group_arn', 'target_group_name', 'url'];
    if (s.image.kind === 'build') keys.push('ecr_repository_url');
    if (JSON.stringify(Object.keys(entry).sort()) !== JSON.stringify(keys.sort()))
      problems.push(`services.${s.name}: ${Object.keys(entry)}`);
    if (!String(entry.url).startsWith(https ? 'https://' : 'http://') || !String(entry.url).endsWith(s.routing.urlPath)) {
      problems.push(`services.${s.name}.url: ${entry.url}`);
    }
    if (s.image.kind === 'uri' && entry.image_uri !== s.image.uri) problems.push(`services.${s.name}.image_uri: ${entry.image_uri}`);
  }
  const extra = Object.keys(services).filter((name) => !config.services.some((s) => s.name === name));
  return [...problems, ...extra.map((name) => `services: unexpected entry ${name}`)];
}

describe('every environment of src/environments.ts', () => {
  const configs = everyEnvironment();
  const synthesized = addEnvironmentStacks(Testing.app(), configs).map((stack, i) => ({
    config: configs[i],
    stack,
    json: synthStack(stack),
  }));

  test.each(synthesized.map((s) => [s.stack.node.id, s] as const))('%s: its stack name, default tags and every output', (_, s) => {
    expect(s.stack.node.id).toBe(environmentStackName(s.config.name));
    expect(s.json.provider!.aws[0]).toMatchObject({
      region: s.config.region,
      default_tags: [{ tags: { Project: 'host-name', Environment: s.config.name, ManagedBy: 'cdktf', ...s.config.tags } }],
    });
    expect(outputProblems(s.config, s.json)).toEqual([]);
  });

  test('the output check finds a missing output, a missing service entry and a wrong URL', () => {
    const [config] = demoConfigs(['prod']);
    const json = synthStack(addEnvironmentStacks(Testing.app(), [config])[0]);
    expect(outputProblems(config, json)).toEqual([]);
    delete json.output!.vpc_id;
    json.output!.services.value['host-name'].url = 'http://example.com/host-name';
    expect(outputProblems(config, json)).toEqual(['missing output vpc_id', 'services.host-name.url: http://example.com/host-name']);
    delete json.output!.services.value['host-name'];
    expect(outputProblems(config, json)).toContain('services: no entry for host-name');
  });
});

describe('the app', () => {
  const stacks = addEnvironmentStacks(Testing.app(), demoConfigs());

  test('one stack per environment, with stable names', () => {
    expect(stacks.map((s) => s.node.id)).toEqual(['host-name-dev', 'host-name-prod']);
    expect(Object.keys(DEMO_ENVIRONMENTS).map(environmentStackName)).toEqual([
      'host-name-dev',
      'host-name-prod',
      'host-name-microservices',
    ]);
  });

  test.each([
    ['dev', [], /^http:\/\/\$\{aws_lb\.[\w-]+\.dns_name\}\/host-name$/],
    ['prod', ['domain', 'https_listener_arn', 'web_acl_arn'], /^https:\/\/host-name\.example\.com\/host-name$/],
  ] as const)('%s synthesizes with default tags and every output', (env, https, url) => {
    const stack = stacks.find((s) => s.node.id === environmentStackName(env))!;
    const json = synthStack(stack);
    const [aws] = json.provider!.aws;
    expect(aws.region).toBe('us-east-1');
    expect(aws.default_tags).toEqual([{ tags: { Project: 'host-name', Environment: env, ManagedBy: 'cdktf' } }]);
    // dev's NAT instance adds its network interface and group.
    const nat = env === 'dev' ? ['nat_autoscaling_group_name', 'nat_network_interface_id'] : [];
    expect(Object.keys(json.output!).sort()).toEqual([...SHARED_OUTPUTS, ...nat, ...https].sort());
    const hostName = json.output!.services.value['host-name'];
    expect(Object.keys(hostName).sort()).toEqual([
      'ecr_repository_url',
      'image_uri',
      'log_group',
      'service_name',
      'target_group_arn',
      'target_group_name',
      'url',
    ]);
    expect(hostName.url).toMatch(url);
    expect(json.output!.base_url.value).toBe(hostName.url.replace(/\/host-name$/, ''));
    expect(hostName.service_name).toMatch(/^\$\{aws_ecs_service\.service-host-name_service_\w+\.name\}$/);
    expect(json.terraform?.backend).toBeUndefined();
  });

  test.each(['dev', 'prod'])('%s matches its reviewed snapshot', (env) => {
    const stack = stacks.find((s) => s.node.id === environmentStackName(env))!;
    expect(masked(synthStack(stack))).toMatchSnapshot();
  });

  test.each([
    ['dev', 80],
    ['prod', 443],
  ] as const)('%s: one service, host-name, the default of the port %s listener; the old addresses move to the new ones', (env, port) => {
    const json = synthStack(stacks.find((s) => s.node.id === environmentStackName(env))!);
    const listener = Object.values(json.resource!.aws_lb_listener).find((l) => l.port === port);
    const [tg] = Object.keys(json.resource!.aws_lb_target_group);
    expect(listener.default_action).toEqual([{ type: 'forward', target_group_arn: `\${aws_lb_target_group.${tg}.arn}` }]);
    // The only rule answers /actuator* with the JSON 404.
    expect(Object.values(json.resource!.aws_lb_listener_rule).map((r) => [r.priority, r.condition[0].path_pattern.values])).toEqual([
      [1, ['/actuator*']],
    ]);
    expect(Object.values(json.resource!.aws_ecs_service).map((s) => s.name)).toEqual(['host-name']);
    const moved = (json as { moved?: { from: string; to: string }[] }).moved!;
    // Every resource of the old service, image and target group; nothing else moves. dev's exec policy (new, in the
    // service construct) gets a moved block from an address the old layout never had, which Terraform ignores; so
    // does the operations key, from where the alarm topic's key sat (operations-key.ts). The old repository and its
    // policy are forgotten instead: host-name-registry owns them.
    expect(moved.map((m) => m.from.split('.')[0]).sort()).toEqual([
      'aws_appautoscaling_policy',
      'aws_appautoscaling_policy',
      'aws_appautoscaling_target',
      'aws_cloudwatch_log_group',
      'aws_ecs_service',
      'aws_ecs_task_definition',
      'aws_iam_role',
      'aws_iam_role',
      ...(env === 'dev' ? ['aws_iam_role_policy'] : []),
      'aws_iam_role_policy_attachment',
      'aws_kms_key',
      'aws_lb_target_group',
      'docker_image',
      'docker_registry_image',
    ]);
    expect(moved).toContainEqual({
      from: 'aws_ecs_service.service_E7C408F2',
      to: expect.stringMatching(/^aws_ecs_service\.service-host-name_service_\w+$/),
    });
    expect(moved).toContainEqual({ from: 'aws_lb_target_group.load-balancer_tg_0BF49259', to: `aws_lb_target_group.${tg}` });
  });

  test('prod: NAT per AZ, flow logs, access logs and deletion protection are wired through', () => {
    const json = synthStack(stacks[1]);
    expect(Object.keys(json.resource!.aws_nat_gateway)).toHaveLength(3);
    expect(Object.keys(json.resource!.aws_flow_log)).toHaveLength(1);
    const [alb] = Object.values(json.resource!.aws_lb);
    expect(alb.enable_deletion_protection).toBe(true);
    expect(alb.access_logs.enabled).toBe(true);
  });
});

describe('EnvironmentStack composition', () => {
  test('an image URI leaves the docker provider and ECR out of the stack', () => {
    const stack = new EnvironmentStack(Testing.app(), 'uri', {
      config: testConfig({ services: withImage(DEFAULT_SERVICES, 'host-name', TEST_IMAGE) }),
    });
    const json = synthStack(stack);
    expect(json.provider!.docker).toBeUndefined();
    expect(json.resource!.aws_ecr_repository).toBeUndefined();
    expect(json.output!.services.value['host-name'].ecr_repository_url).toBeUndefined();
    const [task] = Object.values(json.resource!.aws_ecs_task_definition);
    expect(JSON.parse(task.container_definitions)[0].image).toBe(TEST_IMAGE);
  });

  test('a certificate makes the URL https', () => {
    const stack = new EnvironmentStack(Testing.app(), 'tls', { config: testConfig({ loadBalancer: { certificateArn: TEST_CERT } }) });
    expect(synthStack(stack).output!.services.value['host-name'].url).toMatch(/^https:\/\//);
  });

  test('two services built from source share one docker provider, each pushing to its own repository', () => {
    const built = (pathPatterns: string[]) => ({
      image: { directory: 'workload' },
      routing: { pathPatterns },
      container: { cpu: 256, memoryMiB: 256 },
    });
    const stack = new EnvironmentStack(Testing.app(), 'two', {
      config: testConfig({ capacity: { max: 4 }, services: { a: built(['/a*']), b: built(['/b*']) } }),
    });
    const json = synthStack(stack);
    expect(json.provider!.docker).toHaveLength(1);
    expect(
      Object.values((json.data as any).aws_ecr_repository)
        .map((r: any) => r.name)
        .sort(),
    ).toEqual(['host-name-test-a', 'host-name-test-b']);
  });

  test('a Graviton instance type builds an arm64 image', () => {
    const stack = new EnvironmentStack(Testing.app(), 'arm', {
      config: testConfig({ instanceType: 't4g.small' }),
    });
    const [image] = Object.values(synthStack(stack).resource!.docker_image);
    expect(image.build.platform).toBe('linux/arm64');
  });

  test('extra tags merge into the default tags', () => {
    const stack = new EnvironmentStack(Testing.app(), 'tags', { config: testConfig({ tags: { CostCenter: '42' } }) });
    expect(synthStack(stack).provider!.aws[0].default_tags[0].tags).toEqual({
      Project: 'host-name',
      Environment: 'test',
      ManagedBy: 'cdktf',
      CostCenter: '42',
    });
  });

  test('provider overrides reach the AWS provider (e.g. endpoints), and only when given', () => {
    const stack = new EnvironmentStack(Testing.app(), 'endpoints', {
      config: testConfig({ services: withImage(DEFAULT_SERVICES, 'host-name', TEST_IMAGE) }),
      providerOverrides: { endpoints: [{ ecs: 'http://127.0.0.1:5000' }] },
    });
    expect(synthStack(stack).provider!.aws[0].endpoints).toEqual([{ ecs: 'http://127.0.0.1:5000' }]);
  });
});

describe('the microservices example', () => {
  const [stack] = addEnvironmentStacks(Testing.app(), demoConfigs(['microservices']));
  const json = synthStack(stack);
  const rules = Object.values(json.resource!.aws_lb_listener_rule);
  const tgs = json.resource!.aws_lb_target_group;

  test('one ALB, one forwarding listener answering a JSON 404, a target group and a rule per service (two groups and a test listener per blue-green one)', () => {
    const [config] = demoConfigs(['microservices']);
    expect(Object.keys(json.resource!.aws_lb)).toHaveLength(1);
    const listeners = Object.values(json.resource!.aws_lb_listener);
    const forwarding = listeners.find((l) => l.port === 80)!;
    expect(forwarding.default_action[0]).toMatchObject({
      type: 'fixed-response',
      fixed_response: { status_code: '404', content_type: 'application/json' },
    });
    const testPorts = config.services.flatMap((s) =>
      s.deployment.blueGreen?.testListener ? [s.deployment.blueGreen.testListener.port] : [],
    );
    expect(listeners.map((l) => l.port).sort()).toEqual([80, ...testPorts].sort());
    const expectedGroups = config.services.flatMap((s) => [
      serviceTargetGroupName(config.namePrefix, s.name, isFargate(s.runsOn)),
      ...(s.deployment.blueGreen ? [blueGreenNames(config.namePrefix, s.name).alternateTargetGroup] : []),
    ]);
    expect(
      Object.values(tgs)
        .map((t) => t.name)
        .sort(),
    ).toEqual(expectedGroups.sort());
    expect(rules.map((r) => r.condition[0].path_pattern.values[0]).sort()).toEqual(
      ['/actuator*', ...config.services.flatMap((s) => s.routing.pathPatterns)].sort(),
    );
    expect(new Set(rules.map((r) => r.priority)).size).toBe(config.services.length + 1);
  });

  test('each ECS service joins its own target group; only threads reads a secret', () => {
    const [config] = demoConfigs(['microservices']);
    const services = Object.values(json.resource!.aws_ecs_service);
    expect(services.map((s) => s.name).sort()).toEqual(['posts', 'threads', 'users']);
    for (const s of services) {
      const tg = Object.entries(tgs).find(([id]) => s.load_balancer[0].target_group_arn === `\${aws_lb_target_group.${id}.arn}`)![1];
      const runsOn = config.services.find((c) => c.name === s.name)!.runsOn;
      expect(tg.name).toBe(serviceTargetGroupName(config.namePrefix, s.name, isFargate(runsOn)));
      expect(s.load_balancer[0].container_port).toBe(3000);
    }
    expect(Object.values(json.resource!.aws_iam_role_policy)).toHaveLength(1);
    // Only the operations key, from the alarm topic's former key (operations-key.ts); no service moves.
    expect((json as { moved?: { from: string }[] }).moved!.map((m) => m.from)).toEqual([
      expect.stringMatching(/^aws_kms_key\.alarm-topic_key_\w+$/),
    ]);
    expect(json.provider!.docker).toBeUndefined();
  });

  test('outputs per service', () => {
    expect(Object.keys(json.output!.services.value).sort()).toEqual(['posts', 'threads', 'users']);
    expect(json.output!.services.value.users.url).toMatch(/^http:\/\/\$\{aws_lb\.[\w-]+\.dns_name\}\/users$/);
  });
});

describe('state bootstrap stacks', () => {
  const withState = (env: string, bucket: string) => testConfig({ state: { bucket } }, env);

  test('none when every environment keeps local state', () => {
    expect(addStateBootstrapStacks(Testing.app(), demoConfigs())).toEqual([]);
  });

  test('one host-name-state stack for a bucket shared by all environments', () => {
    const stacks = addStateBootstrapStacks(Testing.app(), [withState('dev', 'tf-state'), withState('prod', 'tf-state')]);
    expect(stacks.map((s) => s.node.id)).toEqual(['host-name-state']);
  });

  test('one per bucket, named after the first environment using it, when buckets differ', () => {
    const stacks = addStateBootstrapStacks(Testing.app(), [withState('dev', 'dev-state'), withState('prod', 'prod-state')]);
    expect(stacks.map((s) => s.node.id)).toEqual(['host-name-state-dev', 'host-name-state-prod']);
  });

  test('with a GitHub repository, the CI roles: a deploy role per environment of the bucket', () => {
    const [stack] = addStateBootstrapStacks(
      Testing.app(),
      [withState('dev', 'tf-state'), withState('prod', 'tf-state')],
      'my-org/host-name',
    );
    const roles = Object.values(JSON.parse(Testing.synth(stack)).resource.aws_iam_role).map((r: any) => r.name);
    expect(roles.sort()).toEqual(['host-name-deploy-dev', 'host-name-deploy-prod', 'host-name-plan', 'host-name-push']);
  });

  test("an environment with a blue-green service: its deploy role may pass the stack's roles to CodeDeploy, the others' may not", () => {
    const micro = DEMO_ENVIRONMENTS.microservices;
    const blueGreen = testConfig({ ...micro, state: { bucket: 'tf-state' } }, 'shop');
    expect(blueGreen.services.some((s) => s.deployment.blueGreen)).toBe(true);
    const [stack] = addStateBootstrapStacks(Testing.app(), [withState('dev', 'tf-state'), blueGreen], 'my-org/host-name');
    const policies = Object.values<any>(JSON.parse(Testing.synth(stack)).resource.aws_iam_role_policy).filter(
      (p) => p.name === 'stack-iam',
    );
    const passedTo = Object.fromEntries(
      policies.map((p) => {
        const pass = JSON.parse(p.policy).Statement.find((st: any) => st.Sid === 'PassStackRoles');
        return [p.role.match(/deploy-([a-z]+)/)![1], pass.Condition.StringEquals['iam:PassedToService']];
      }),
    );
    expect(passedTo.shop).toContain('codedeploy.amazonaws.com');
    expect(passedTo.dev).not.toContain('codedeploy.amazonaws.com');
    expect(passedTo.dev).toContain('ecs-tasks.amazonaws.com');
  });

  test('a GitHub repository that is not owner/repository, or CI roles over two buckets, is a config error', () => {
    expect(() => addStateBootstrapStacks(Testing.app(), [withState('dev', 'tf-state')], 'https://github.com/my-org/host-name')).toThrow(
      'environment "dev": HOST_NAME_GITHUB_REPOSITORY = "https://github.com/my-org/host-name" is not allowed; expected owner/repository as GitHub spells it, e.g. my-org/host-name',
    );
    expect(() =>
      addStateBootstrapStacks(Testing.app(), [withState('dev', 'dev-state'), withState('prod', 'prod-state')], 'my-org/host-name'),
    ).toThrow(
      'environment "prod": state.bucket = "prod-state" is not allowed; expected the bucket of the other environments with HOST_NAME_GITHUB_REPOSITORY: the CI roles are one set per account',
    );
  });
});
