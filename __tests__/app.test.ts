import { Testing } from 'cdktf';
import { addEnvironmentStacks, addStateBootstrapStacks, stackName } from '../constructs/app';
import { ENVIRONMENTS, selectEnvironments } from '../constructs/environments';
import { HostNameStack, WORKLOAD_DIR } from '../constructs/host-name-stack';
import { sourceHash } from '../constructs/source-hash';
import { TEST_CERT, TEST_IMAGE, testConfig } from './support/fixtures';
import { SynthJson } from './support/synth';

function synthStack(stack: HostNameStack): SynthJson {
  return JSON.parse(Testing.synth(stack));
}

/**
 * The absolute workload path differs per machine, and the source hash changes with every app
 * edit (container-image.test.ts covers it): the snapshot keeps placeholders for both.
 */
function masked(json: SynthJson): string {
  const hash = sourceHash(WORKLOAD_DIR);
  return JSON.stringify(json, null, 2)
    .split(WORKLOAD_DIR).join('<WORKLOAD_DIR>')
    .split(hash).join('<SOURCE_HASH>')
    .split(hash.slice(0, 20)).join('<SOURCE_HASH_20>');
}

describe('the app', () => {
  const stacks = addEnvironmentStacks(Testing.app(), selectEnvironments([]));

  test('one stack per environment, with stable names', () => {
    expect(stacks.map((s) => s.node.id)).toEqual(['host-name-dev', 'host-name-prod']);
    expect(Object.keys(ENVIRONMENTS).map(stackName)).toEqual(['host-name-dev', 'host-name-prod']);
  });

  test.each(['dev', 'prod'])('%s synthesizes with default tags and every output', (env) => {
    const stack = stacks.find((s) => s.node.id === stackName(env))!;
    const json = synthStack(stack);
    const [aws] = json.provider!.aws;
    expect(aws.region).toBe('us-east-1');
    expect(aws.default_tags).toEqual([{ tags: { Project: 'host-name', Environment: env, ManagedBy: 'cdktf' } }]);
    expect(Object.keys(json.output!).sort()).toEqual(
      ['alb_dns_name', 'cluster_name', 'ecr_repository_url', 'image_uri', 'log_group', 'service_name', 'url'].sort(),
    );
    expect(json.output!.url.value).toMatch(/^http:\/\/\$\{aws_lb\.[\w-]+\.dns_name\}\/host-name$/);
    expect(json.terraform?.backend).toBeUndefined();
  });

  test.each(['dev', 'prod'])('%s matches its reviewed snapshot', (env) => {
    const stack = stacks.find((s) => s.node.id === stackName(env))!;
    expect(masked(synthStack(stack))).toMatchSnapshot();
  });

  test('prod: NAT per AZ, flow logs, access logs and deletion protection are wired through', () => {
    const json = synthStack(stacks[1]);
    expect(Object.keys(json.resource!.aws_nat_gateway)).toHaveLength(3);
    expect(Object.keys(json.resource!.aws_flow_log)).toHaveLength(1);
    const [alb] = Object.values(json.resource!.aws_lb);
    expect(alb.enable_deletion_protection).toBe(true);
    expect(alb.access_logs.enabled).toBe(true);
    const [repo] = Object.values(json.resource!.aws_ecr_repository);
    expect(repo.force_delete).toBe(false);
  });
});

describe('HostNameStack composition', () => {
  test('an image URI leaves the docker provider and ECR out of the stack', () => {
    const stack = new HostNameStack(Testing.app(), 'uri', { config: testConfig({ image: { uri: TEST_IMAGE } }) });
    const json = synthStack(stack);
    expect(json.provider!.docker).toBeUndefined();
    expect(json.resource!.aws_ecr_repository).toBeUndefined();
    expect(json.output!.ecr_repository_url).toBeUndefined();
    const [task] = Object.values(json.resource!.aws_ecs_task_definition);
    expect(JSON.parse(task.container_definitions)[0].image).toBe(TEST_IMAGE);
  });

  test('a certificate makes the URL https', () => {
    const stack = new HostNameStack(Testing.app(), 'tls', { config: testConfig({ loadBalancer: { certificateArn: TEST_CERT } }) });
    expect(synthStack(stack).output!.url.value).toMatch(/^https:\/\//);
  });

  test('a Graviton instance type builds an arm64 image', () => {
    const stack = new HostNameStack(Testing.app(), 'arm', {
      config: testConfig({ instanceType: 't4g.small', task: { memoryMiB: 512 } }),
    });
    const [image] = Object.values(synthStack(stack).resource!.docker_image);
    expect(image.build.platform).toBe('linux/arm64');
  });

  test('extra tags merge into the default tags', () => {
    const stack = new HostNameStack(Testing.app(), 'tags', { config: testConfig({ tags: { CostCenter: '42' } }) });
    expect(synthStack(stack).provider!.aws[0].default_tags[0].tags).toEqual({
      Project: 'host-name',
      Environment: 'test',
      ManagedBy: 'cdktf',
      CostCenter: '42',
    });
  });

  test('provider overrides reach the AWS provider (e.g. endpoints), and only when given', () => {
    const stack = new HostNameStack(Testing.app(), 'endpoints', {
      config: testConfig({ image: { uri: TEST_IMAGE } }),
      providerOverrides: { endpoints: [{ ecs: 'http://127.0.0.1:5000' }] },
    });
    expect(synthStack(stack).provider!.aws[0].endpoints).toEqual([{ ecs: 'http://127.0.0.1:5000' }]);
  });
});

describe('state bootstrap stacks', () => {
  const withState = (env: string, bucket: string) => testConfig({ state: { bucket } }, env);

  test('none when every environment keeps local state', () => {
    expect(addStateBootstrapStacks(Testing.app(), selectEnvironments([]))).toEqual([]);
  });

  test('one host-name-state stack for a bucket shared by all environments', () => {
    const stacks = addStateBootstrapStacks(Testing.app(), [withState('dev', 'tf-state'), withState('prod', 'tf-state')]);
    expect(stacks.map((s) => s.node.id)).toEqual(['host-name-state']);
  });

  test('one per bucket, named after the first environment using it, when buckets differ', () => {
    const stacks = addStateBootstrapStacks(Testing.app(), [withState('dev', 'dev-state'), withState('prod', 'prod-state')]);
    expect(stacks.map((s) => s.node.id)).toEqual(['host-name-state-dev', 'host-name-state-prod']);
  });
});
