/**
 * A blue-green service (CodeDeploy): its second target group, test listener and CodeDeploy group as AWS
 * reports them; then the proof that Terraform's ignore list is right: a deployment through
 * `npm run release -- deploy` moves the listener rule, the test listener and the service to the other
 * target group and a new task definition, and the next plan changes none of them.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ServiceConfig } from '../../src/environment/config';
import { serviceResourceName } from '../../src/shared/names';
import { Checks, emulatorAwsEnv, expect, Json, same, step } from '../checks';
import { firstError, TerraformSetup } from '../terraform';
import { planChanges } from '../upgrade';
import { Aws, Deployment } from './deployment';

/** What the stack's `blue_green` output says of one service. */
export interface BlueGreenOutput {
  readonly codedeploy_application: string;
  readonly deployment_group: string;
  readonly target_group_names: readonly [string, string];
  readonly production_listener_arn: string;
  readonly test_listener_arn?: string;
  readonly task_definition_arn: string;
}

const outputOf = (d: Deployment, service: string): BlueGreenOutput => {
  const o = d.out.blue_green?.[service];
  expect(o, `no blue_green output for ${service}`);
  return o;
};

/** The ALB's forward of a rule or listener: the target groups with their weights (a plain TargetGroupArn weighs 1). */
export function forwardOf(actions: Json[]): Record<string, number> {
  const forward = actions.find((a) => a.Type === 'forward');
  if (!forward) return {};
  if (forward.ForwardConfig)
    return Object.fromEntries(forward.ForwardConfig.TargetGroups.map((t: Json) => [t.TargetGroupArn, t.Weight ?? 1]));
  return { [forward.TargetGroupArn]: 1 };
}

/** Target group ARNs of the pair, by name, in the output's order. */
function pairArns(aws: Aws, o: BlueGreenOutput): [string, string] {
  const groups: Json[] = aws('elbv2', 'describe-target-groups', '--names', ...o.target_group_names).TargetGroups;
  const arn = (name: string) => groups.find((g) => g.TargetGroupName === name)?.TargetGroupArn;
  return [arn(o.target_group_names[0]), arn(o.target_group_names[1])];
}

/** The second target group, the test listener reachable from the configured CIDRs only, a CODE_DEPLOY service. */
export function checkBlueGreenRoute(d: Deployment, service: ServiceConfig): void {
  const bg = service.deployment.blueGreen!;
  d.checks.run(`${service.name}: a second target group like the first, and the ECS service deployed by CodeDeploy`, () => {
    const o = outputOf(d, service.name);
    const groups: Json[] = d.aws('elbv2', 'describe-target-groups', '--names', ...o.target_group_names).TargetGroups;
    expect(groups.length === 2, `target groups ${groups.map((g) => g.TargetGroupName)}`);
    const paths = groups.map((g) => g.HealthCheckPath);
    expect(
      paths.every((p) => p === service.targetGroup.healthCheckPath),
      `health check paths ${paths}`,
    );
    const s = d.aws('ecs', 'describe-services', '--cluster', d.out.cluster_name, '--services', service.name).services[0];
    expect(s.deploymentController?.type === 'CODE_DEPLOY', `deployment controller ${JSON.stringify(s.deploymentController)}`);
    return `${o.target_group_names.join(' + ')}, deployment controller CODE_DEPLOY`;
  });
  if (!bg.testListener) return;
  const { port, cidrs } = bg.testListener;
  d.checks.run(
    `${service.name}: a test listener on ${port}, forwarding to the serving target group, open to ${cidrs.join(' ')} only`,
    () => {
      const o = outputOf(d, service.name);
      const listener = d.aws('elbv2', 'describe-listeners', '--listener-arns', o.test_listener_arn!).Listeners[0];
      expect(listener.Port === port, `port ${listener.Port}`);
      const [first] = pairArns(d.aws, o);
      expect(same(Object.keys(forwardOf(listener.DefaultActions)), [first]), `default action ${JSON.stringify(listener.DefaultActions)}`);
      const sg = d.loadBalancer().SecurityGroups[0];
      const rules: Json[] = d.aws('ec2', 'describe-security-group-rules', '--filters', `Name=group-id,Values=${sg}`).SecurityGroupRules;
      const open = rules.filter((r) => !r.IsEgress && r.FromPort <= port && port <= r.ToPort).map((r) => r.CidrIpv4);
      expect(same(open, cidrs), `ingress on ${port} from ${open.join(', ')}, expected ${cidrs.join(', ')}`);
      return `${listener.Protocol} ${port} from ${open.join(', ')}`;
    },
  );
}

/** The application and deployment group as configured: ECS, blue/green, the traffic shift, the alarms, rollback. */
export function checkCodeDeploy(d: Deployment, service: ServiceConfig): void {
  const bg = service.deployment.blueGreen!;
  d.checks.run(`${service.name}: CodeDeploy deploys it blue/green (${bg.deploymentConfigName}), judged by its deployment alarms`, () => {
    const o = outputOf(d, service.name);
    const app = d.aws('deploy', 'get-application', '--application-name', o.codedeploy_application).application;
    expect(app.computePlatform === 'ECS', `compute platform ${app.computePlatform}`);
    const g = d.aws(
      'deploy',
      'get-deployment-group',
      '--application-name',
      o.codedeploy_application,
      '--deployment-group-name',
      o.deployment_group,
    ).deploymentGroupInfo;
    expect(g.deploymentConfigName === bg.deploymentConfigName, `deployment config ${g.deploymentConfigName}`);
    expect(g.deploymentStyle.deploymentType === 'BLUE_GREEN' && g.deploymentStyle.deploymentOption === 'WITH_TRAFFIC_CONTROL', 'style');
    expect(
      g.ecsServices[0].serviceName === service.name && g.ecsServices[0].clusterName === d.out.cluster_name,
      `ECS service ${JSON.stringify(g.ecsServices)}`,
    );
    const pair = g.loadBalancerInfo.targetGroupPairInfoList[0];
    expect(
      same(
        pair.targetGroups.map((t: Json) => t.name),
        o.target_group_names,
      ),
      `target groups ${JSON.stringify(pair.targetGroups)}`,
    );
    expect(pair.prodTrafficRoute.listenerArns[0] === o.production_listener_arn, 'production listener');
    const alarms = g.alarmConfiguration.alarms.map((a: Json) => a.name);
    const expected = ['target-5xx', 'unhealthy-hosts', 'p99-latency'].map((what) =>
      serviceResourceName(d.config.namePrefix, service.name, what),
    );
    expect(g.alarmConfiguration.enabled === true && same(alarms, expected), `alarms ${JSON.stringify(g.alarmConfiguration)}`);
    expect(
      g.autoRollbackConfiguration.enabled && same(g.autoRollbackConfiguration.events, ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM']),
      `rollback ${JSON.stringify(g.autoRollbackConfiguration)}`,
    );
    const wait = g.blueGreenDeploymentConfiguration.terminateBlueInstancesOnDeploymentSuccess.terminationWaitTimeInMinutes;
    expect(wait === bg.blueTerminationWaitMinutes, `blue termination wait ${wait}`);
    return `${alarms.length} alarms, rollback on failure and alarm, blue kept ${wait} min`;
  });
}

/** `npm run release -- deploy` against the emulator. */
function releaseDeploy(endpoint: string, ...args: string[]) {
  const cli = join(__dirname, '..', '..', 'tools', 'release', 'cli.ts');
  const r = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), cli, 'deploy', ...args], {
    env: { ...emulatorAwsEnv(), AWS_ENDPOINT_URL: endpoint },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Addresses a saved plan changes (anything but no-op and read). */
async function changedAddresses(checks: Checks, env: TerraformSetup, dir: string, name: string): Promise<string[]> {
  const plan = await step(checks, env, dir, name, ['plan', `-out=${name}.tfplan`]);
  if (plan.code !== 0) throw new Error(`${firstError(plan.output)} (log: ${join(dir, `${name}.log`)})`);
  return planChanges(env, dir, `${name}.tfplan`)
    .filter((c) => !c.change.actions.every((a) => a === 'no-op' || a === 'read'))
    .map((c) => `${c.address} (${c.change.actions.join('/')})`);
}

/**
 * The ignore list, proven: plan, deploy a new task definition revision of each blue-green service the way
 * the pipeline does (npm run release -- deploy, which CodeDeploy, as the emulator runs it, carries out), see
 * the rule, the test listener and the service moved, and plan again: the service, the listeners and the
 * rules unchanged, and nothing changed that did not before the deployment.
 */
export async function checkBlueGreenDeployment(d: Deployment, env: TerraformSetup, dir: string): Promise<void> {
  const services = d.config.services.filter((s) => s.deployment.blueGreen);
  // The blue-green services' addresses, from the stack: the ECS services CodeDeploy deploys.
  const stack = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8'));
  const codeDeployed = Object.entries<Json>(stack.resource.aws_ecs_service)
    .filter(([, s]) => s.deployment_controller?.type === 'CODE_DEPLOY')
    .map(([id]) => `aws_ecs_service.${id} `);
  let before: string[] | undefined;
  await changedAddresses(d.checks, env, dir, 'plan-before-deploy').then(
    (changes) => (before = changes),
    (error: Error) =>
      d.checks.run('plan before the blue/green deployment', () => {
        throw error;
      }),
  );
  if (!before) return;
  for (const service of services) deployNewRevision(d, dir, service);
  let after: string[] | undefined;
  await changedAddresses(d.checks, env, dir, 'plan-after-deploy').then(
    (changes) => (after = changes),
    (error: Error) =>
      d.checks.run('plan after the blue/green deployment', () => {
        throw error;
      }),
  );
  if (!after) return;
  const changes = after;
  d.checks.run('after the deployment, the plan changes no blue-green service, listener or listener rule, and nothing new', () =>
    judgeReplan(before!, changes, codeDeployed, join(dir, 'plan-after-deploy.log')),
  );
}

/**
 * The verdict on the plan after a deployment (`after`, addresses with their actions) against the one
 * before it: no change to a CODE_DEPLOY service (`codeDeployed`, addresses followed by a space), a
 * listener or a listener rule, and no change the plan before did not have. The CodeDeploy resources
 * are held to the second only: the emulator's provider settings skip the account id, so their tags are
 * read under another ARN and planned again every time (harness/README.md, "The second plan").
 */
export function judgeReplan(before: readonly string[], after: readonly string[], codeDeployed: readonly string[], log: string): string {
  const owned = after.filter((c) => /^aws_(lb_listener|lb_listener_rule)\./.test(c) || codeDeployed.some((a) => c.startsWith(a)));
  expect(owned.length === 0, `the plan would change ${owned.join(', ')} (log: ${log})`);
  const fresh = after.filter((c) => !before.includes(c));
  expect(fresh.length === 0, `changes the deployment caused: ${fresh.join(', ')} (log: ${log})`);
  const types = [...new Set(after.map((c) => c.split('.')[0]))];
  return `${after.length} changes, each in the plan before the deployment too (the emulator's drift: ${types.join(', ') || 'none'})`;
}

/** Registers a new revision of the service's task definition, deploys it with npm run release -- deploy, and checks what moved. */
function deployNewRevision(d: Deployment, dir: string, service: ServiceConfig): void {
  const o = outputOf(d, service.name);
  let revision = '';
  d.checks.run(`${service.name}: npm run release -- deploy of a new revision exits 0 with the deployment Succeeded`, () => {
    const current = d.aws('ecs', 'describe-task-definition', '--task-definition', o.task_definition_arn).taskDefinition;
    const containers = current.containerDefinitions.map((c: Json) => ({
      ...c,
      environment: [...(c.environment ?? []), { name: 'RELEASE', value: 'blue-green-proof' }],
    }));
    revision = d.aws(
      'ecs',
      'register-task-definition',
      '--family',
      current.family,
      '--network-mode',
      current.networkMode,
      '--execution-role-arn',
      current.executionRoleArn,
      '--task-role-arn',
      current.taskRoleArn,
      '--requires-compatibilities',
      'EC2',
      '--container-definitions',
      JSON.stringify(containers),
      '--volumes',
      JSON.stringify(current.volumes ?? []),
    ).taskDefinition.taskDefinitionArn;
    const r = releaseDeploy(
      d.endpoint,
      d.config.name,
      service.name,
      '--task-definition',
      revision,
      '--stack-dir',
      dir,
      '--timeout-minutes',
      '5',
    );
    expect(r.code === 0, `exit ${r.code}: ${r.stderr.trim()}`);
    expect(/ Succeeded /.test(r.stdout), `output: ${r.stdout.trim()}`);
    return r.stdout.trim().split('\n').pop();
  });
  d.checks.run(
    `${service.name}: CodeDeploy moved the rule and the test listener to the other target group, and the service to the revision`,
    () => {
      const [first, second] = pairArns(d.aws, o);
      const rules: Json[] = d.aws('elbv2', 'describe-rules', '--listener-arn', o.production_listener_arn).Rules;
      const moved = rules.find((r) => [first, second].some((tg) => tg in forwardOf(r.Actions)));
      expect(moved, 'no rule forwards to either target group');
      const weights = forwardOf(moved.Actions);
      expect(weights[second] === 100 && (weights[first] ?? 0) === 0, `rule forwards ${JSON.stringify(weights)}`);
      if (o.test_listener_arn) {
        const test = forwardOf(d.aws('elbv2', 'describe-listeners', '--listener-arns', o.test_listener_arn).Listeners[0].DefaultActions);
        expect(test[second] === 100 && (test[first] ?? 0) === 0, `test listener forwards ${JSON.stringify(test)}`);
      }
      const s = d.aws('ecs', 'describe-services', '--cluster', d.out.cluster_name, '--services', service.name).services[0];
      expect(s.taskDefinition === revision, `service runs ${s.taskDefinition}, expected ${revision}`);
      expect(s.loadBalancers[0]?.targetGroupArn === second, `service load balancer ${JSON.stringify(s.loadBalancers)}`);
      return `rule and test listener: ${o.target_group_names[1]} 100, ${o.target_group_names[0]} 0; service on ${revision.split('/').pop()}`;
    },
  );
}
