/**
 * The bridge-to-Fargate move, a step of the upgrade check: the microservices example applied with its
 * Fargate service on the instances (bridge mode, instance targets), then the example as configured
 * planned on that state. The service's target group must be replaced create-before-destroy (a new name:
 * target_type forces a new group, and the listener rule moves to it before the old one goes), its task
 * definition get a new revision, the ECS service be updated in place, and nothing else be replaced.
 * The plan is then applied and the whole destroyed.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Emulator } from './emulator';
import { synthEmulatorStack } from './emulator-stack';
import { Checks, emulatorAwsEnv, expect, oneAtATime, step } from './checks';
import { firstError, TerraformSetup } from './terraform';
import { describe, planChanges, replaced, reportPlan, ResourceChange } from './upgrade';
import { EnvironmentSettings } from '../src/environment/config';
import { isFargate } from '../src/services/fargate';

const ENVIRONMENT = 'microservices';

/**
 * The environment with every Fargate service on the instances, as it ran before the move, with the
 * instances it then needs (twice the example's maximum: the move shrinks the group in place).
 */
const onInstances = (s: EnvironmentSettings): EnvironmentSettings => ({
  ...s,
  capacity: { ...s.capacity, max: 2 * (s.capacity?.max ?? 2) },
  services: Object.fromEntries(Object.entries(s.services ?? {}).map(([name, svc]) => [name, { ...svc, runsOn: 'ec2' }])),
});

const actions = (c: ResourceChange) => c.change.actions.join('/');

export async function runMoveToFargate(setup: TerraformSetup, emulator: Emulator, outDir: string, checks: Checks): Promise<void> {
  const name = `${ENVIRONMENT}: bridge to Fargate`;
  const dir = join(outDir, 'upgrade-to-fargate');
  mkdirSync(dir, { recursive: true });
  const env = { ...setup, env: emulatorAwsEnv(setup.env) };
  checks.log(`== upgrade ${name}: the Fargate services applied on the instances, then moved ==`);

  const old = synthEmulatorStack(ENVIRONMENT, emulator.endpoint, join(outDir, 'upgrade-to-fargate-old'), onInstances);
  copyFileSync(join(old.dir, 'cdk.tf.json'), join(dir, 'cdk.tf.json'));
  const init = await oneAtATime(() => step(checks, env, dir, 'init', ['init']));
  if (!checks.run(`upgrade ${name}: terraform init (on the instances)`, () => expect(init.code === 0, firstError(init.output)))) return;
  const apply = await step(checks, env, dir, 'apply-old', ['apply', '-auto-approve']);
  const applied = checks.run(`upgrade ${name}: every service on the instances applies`, () => {
    expect(apply.code === 0, `${firstError(apply.output)} (log: ${join(dir, 'apply-old.log')})`);
    return /Resources: (\d+) added/.exec(apply.output)?.[0];
  });
  if (applied) await planAndApplyTheMove(checks, env, emulator, outDir, dir, name);

  const destroy = await step(checks, env, dir, 'destroy', ['destroy', '-auto-approve']);
  checks.run(`upgrade ${name}: terraform destroy leaves an empty state`, () => {
    expect(destroy.code === 0, `${firstError(destroy.output)} (log: ${join(dir, 'destroy.log')})`);
    const state = spawnSync('terraform', ['state', 'list'], { cwd: dir, env: env.env, encoding: 'utf8' });
    expect(state.stdout.trim() === '', `still in state: ${state.stdout.trim().split('\n').join(', ')}`);
  });
}

async function planAndApplyTheMove(
  checks: Checks,
  env: TerraformSetup,
  emulator: Emulator,
  outDir: string,
  dir: string,
  name: string,
): Promise<void> {
  // What the same code re-planned would replace: moto's answers, not the move.
  await step(checks, env, dir, 'plan-old', ['plan', '-out=old.tfplan']);
  const noise = new Set(
    planChanges(env, dir, 'old.tfplan')
      .filter(replaced)
      .map((c) => c.address),
  );
  const current = synthEmulatorStack(ENVIRONMENT, emulator.endpoint, join(outDir, 'upgrade-to-fargate-new'));
  copyFileSync(join(current.dir, 'cdk.tf.json'), join(dir, 'cdk.tf.json'));
  const plan = await step(checks, env, dir, 'plan-new', ['plan', '-out=new.tfplan']);
  if (
    !checks.run(`upgrade ${name}: the move plans`, () =>
      expect(plan.code === 0, `${firstError(plan.output)} (log: ${join(dir, 'plan-new.log')})`),
    )
  )
    return;
  const changes = planChanges(env, dir, 'new.tfplan');
  reportPlan(checks, changes, noise);
  const moved = current.config.services.filter((s) => isFargate(s.runsOn)).map((s) => s.name);
  // Addresses by construct path: `service-<name>_…` (the service's), `…_route-<name>_…` (its route on the ALB).
  const of = (type: string, service: string) =>
    changes.filter((c) => c.type === type && (c.address.includes(`.service-${service}_`) || c.address.includes(`_route-${service}_`)));
  checks.run(
    `upgrade ${name}: per moved service, a new ip target group before the old goes, a new task definition, the ECS service in place`,
    () => {
      return moved
        .map((service) => {
          const [tg] = of('aws_lb_target_group', service);
          expect(
            tg && actions(tg) === 'create/delete',
            `${service}: target group ${tg ? `${describe(tg)} ${actions(tg)}` : 'not in the plan'}, expected create/delete (create before destroy)`,
          );
          const [td] = of('aws_ecs_task_definition', service);
          expect(
            td && td.change.actions.includes('create'),
            `${service}: task definition ${td ? actions(td) : 'not in the plan'}, expected a new revision`,
          );
          const [svc] = of('aws_ecs_service', service);
          expect(
            svc && actions(svc) === 'update',
            `${service}: ECS service ${svc ? actions(svc) : 'not in the plan'}, expected an in-place update`,
          );
          return `${service}: target group ${actions(tg)}, task definition ${actions(td)}, service ${actions(svc)}`;
        })
        .join('; ');
    },
  );
  checks.run(`upgrade ${name}: nothing else is replaced or destroyed`, () => {
    const expected = new Set(
      moved.flatMap((s) => [...of('aws_lb_target_group', s), ...of('aws_ecs_task_definition', s)].map((c) => c.address)),
    );
    const other = changes.filter((c) => c.change.actions.includes('delete') && !expected.has(c.address) && !noise.has(c.address));
    expect(other.length === 0, other.map((c) => `${describe(c)} (${actions(c)})`).join('; '));
    return `${changes.filter(replaced).length} replaced, all expected or the emulator's`;
  });
  const upgrade = await step(checks, env, dir, 'apply-new', ['apply', 'new.tfplan']);
  checks.run(`upgrade ${name}: the move applies`, () =>
    expect(upgrade.code === 0, `${firstError(upgrade.output)} (log: ${join(dir, 'apply-new.log')})`),
  );
}
