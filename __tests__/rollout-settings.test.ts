import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import { addEnvironmentStacks } from '../src/app';
import { ENVIRONMENTS } from '../src/environments';
import { selectEnvironments } from '../src/environment/select';
import { environmentStackName } from '../src/shared/names';
import { readRolloutSettings, SettingsError } from '../harness/rollout-settings';
import { CONTAINER_RUN_ENVIRONMENTS } from '../harness/fixtures/container-run-environment';
import { demoConfigs } from './support/fixtures';

/** The demo's dev stack as `npm run synth -- dev` writes it: one load-balanced service. */
function devStack(): any {
  const [stack] = addEnvironmentStacks(Testing.app(), demoConfigs(['dev']));
  return JSON.parse(Testing.synth(stack));
}

/** `json` without the "//" metadata `npm run synth` writes and Testing.synth leaves out. */
function withoutMetadata(json: any): any {
  if (Array.isArray(json)) return json.map(withoutMetadata);
  if (json === null || typeof json !== 'object') return json;
  return Object.fromEntries(Object.entries(json).flatMap(([k, v]) => (k === '//' ? [] : [[k, withoutMetadata(v)]])));
}

describe('readRolloutSettings (what npm run test:rollout takes from cdk.tf.json)', () => {
  const stack = devStack();

  it("reads dev's target group, load balancer, service and container definition", () => {
    const s = readRolloutSettings(stack);
    const tg = Object.values<any>(stack.resource.aws_lb_target_group)[0];
    expect(s.healthCheck).toEqual({
      path: tg.health_check.path,
      intervalS: tg.health_check.interval,
      timeoutS: tg.health_check.timeout,
      healthyThreshold: tg.health_check.healthy_threshold,
      unhealthyThreshold: tg.health_check.unhealthy_threshold,
      matcher: tg.health_check.matcher,
    });
    expect(s.deregistrationDelayS).toBe(Number(tg.deregistration_delay));
    expect(s.minimumHealthyPercent).toBe(100);
    expect(s.maximumPercent).toBe(200);
    const service = Object.values<any>(stack.resource.aws_ecs_service)[0];
    expect(s.healthCheckGracePeriodS).toBe(service.health_check_grace_period_seconds);
    expect(s.idleTimeoutS).toBe(Object.values<any>(stack.resource.aws_lb)[0].idle_timeout);
    const def = JSON.parse(Object.values<any>(stack.resource.aws_ecs_task_definition)[0].container_definitions)[0];
    expect(s.container.stopTimeoutS).toBe(def.stopTimeout);
    expect(s.container.environment).toEqual(def.environment);
    expect(s.container.containerPort).toBe(8000);
    expect(s.container.readonlyRootFilesystem).toBe(true);
    // /tmp, and the SSM agent's paths for ECS Exec (on in dev).
    expect(s.container.writablePaths).toEqual(['/tmp', '/var/lib/amazon', '/var/log/amazon']);
  });

  it('follows the target group the service references, whatever its logical id, when there are several', () => {
    const copy = JSON.parse(JSON.stringify(stack));
    const [[id, tg]] = Object.entries<any>(copy.resource.aws_lb_target_group);
    delete copy.resource.aws_lb_target_group[id];
    copy.resource.aws_lb_target_group.other_tg = { ...tg, health_check: { ...tg.health_check, path: '/other' } };
    copy.resource.aws_lb_target_group.renamed_tg = { ...tg, deregistration_delay: '5' };
    const service = Object.values<any>(copy.resource.aws_ecs_service)[0];
    service.load_balancer[0].target_group_arn = '${aws_lb_target_group.renamed_tg.arn}';
    const s = readRolloutSettings(copy);
    expect(s.targetGroupId).toBe('renamed_tg');
    expect(s.deregistrationDelayS).toBe(5);
    expect(s.healthCheck.path).toBe(tg.health_check.path);
  });

  it('uses AWS defaults for attributes the stack leaves unset', () => {
    const copy = JSON.parse(JSON.stringify(stack));
    const tg = Object.values<any>(copy.resource.aws_lb_target_group)[0];
    delete tg.deregistration_delay;
    tg.health_check = { path: '/actuator/health/readiness' };
    delete Object.values<any>(copy.resource.aws_ecs_service)[0].health_check_grace_period_seconds;
    const s = readRolloutSettings(copy);
    expect(s.deregistrationDelayS).toBe(300);
    expect(s.healthCheckGracePeriodS).toBe(0);
    expect(s.healthCheck).toMatchObject({ intervalS: 30, timeoutS: 5, healthyThreshold: 5, unhealthyThreshold: 2, matcher: '200' });
  });

  it('asks for ROLLOUT_SERVICE when several services are load balanced, and fails on what it cannot simulate', () => {
    const copy = JSON.parse(JSON.stringify(stack));
    const [id, service] = Object.entries<any>(copy.resource.aws_ecs_service)[0];
    copy.resource.aws_ecs_service.second = { ...service, name: 'second' };
    expect(() => readRolloutSettings(copy)).toThrow(/several load-balanced ECS services \(host-name, second\)/);
    expect(readRolloutSettings(copy, 'second').serviceName).toBe('second');
    delete copy.resource.aws_ecs_service.second;
    copy.resource.aws_ecs_service[id].load_balancer[0].target_group_arn = 'arn:aws:elasticloadbalancing:...';
    expect(() => readRolloutSettings(copy)).toThrow(SettingsError);
  });

  it("takes a service's tmpfs paths as writable and its user", () => {
    const [fixture] = addEnvironmentStacks(Testing.app(), selectEnvironments(['container-run'], {}, CONTAINER_RUN_ENVIRONMENTS));
    const s = readRolloutSettings(JSON.parse(Testing.synth(fixture)), 'nginx-nonroot');
    expect(s.container.writablePaths).toEqual(['/tmp', '/run', '/var/lib/nginx']);
    expect(s.container.user).toBe('www-data');
    expect(readRolloutSettings(stack).container.user).toBeUndefined();
  });

  it('reads the files npm run synth writes, when there are any, as it reads them without metadata', () => {
    // Whatever src/environments.ts holds, and however old the files: each load-balanced service, by name.
    const files = Object.keys(ENVIRONMENTS)
      .map((name) => join(__dirname, '..', 'cdktf.out', 'stacks', environmentStackName(name), 'cdk.tf.json'))
      .filter((file) => existsSync(file));
    for (const file of files) {
      const synthesized = JSON.parse(readFileSync(file, 'utf8'));
      const services = Object.values<any>(synthesized.resource?.aws_ecs_service ?? {}).filter((x) => (x.load_balancer ?? []).length > 0);
      for (const { name } of services) {
        expect(readRolloutSettings(synthesized, name)).toEqual(readRolloutSettings(withoutMetadata(synthesized), name));
      }
    }
  });

  it('metadata is what the comparison drops, nothing else', () => {
    expect(withoutMetadata({ '//': { metadata: {} }, a: [{ '//': 1, b: 2 }], c: { d: '//' } })).toEqual({ a: [{ b: 2 }], c: { d: '//' } });
  });
});
