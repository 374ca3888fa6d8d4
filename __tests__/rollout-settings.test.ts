import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import { addEnvironmentStacks } from '../src/app';
import { selectEnvironments } from '../src/environment/select';
import { readRolloutSettings, SettingsError } from '../harness/rollout-settings';
import { CONTAINER_RUN_ENVIRONMENTS } from '../harness/fixtures/container-run-environment';

/** The dev stack as `npm run synth -- dev` writes it. */
function devStack(): any {
  const [stack] = addEnvironmentStacks(Testing.app(), selectEnvironments(['dev']));
  return JSON.parse(Testing.synth(stack));
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

  it('matches the file npm run synth writes, when there is one', () => {
    const file = join(__dirname, '..', 'cdktf.out', 'stacks', 'host-name-dev', 'cdk.tf.json');
    let synthesized: any;
    try {
      synthesized = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      return; // not synthesized on this machine: nothing to compare
    }
    expect(readRolloutSettings(synthesized).healthCheck).toEqual(readRolloutSettings(stack).healthCheck);
  });
});
