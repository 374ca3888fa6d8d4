/**
 * `npm run test:integration [-- ENV... | upgrade | registry]`: a real `terraform apply` and `terraform destroy`
 * of whole environments against moto, with checks through the AWS CLI in between, the upgrade
 * check (harness/upgrade.ts) and the registry check (harness/registry-check.ts). Default: all of
 * them, in parallel (the upgrade check on a moto of its own).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentConfig } from '../src/environment/config';
import { ENVIRONMENTS } from '../src/environments';
import { selectEnvironments } from '../src/environment/select';
import { checkNoServerErrors, Emulator, findMoto, startEmulator } from './emulator';
import { synthEmulatorStack } from './emulator-stack';
import { planChanges, runUpgrade } from './upgrade';
import { runRegistry } from './registry-check';
import { checkHttps, createHostedZone, deleteHostedZone } from './https-checks';
import { firstError, prepareTerraform, runHarness, seconds, TerraformSetup, WORK_DIR } from './terraform';
import { awsCli, Checks, emulatorAwsEnv, expect, Json, oneAtATime, plannedChanges, readOutputs, requireAwsCli, step } from './checks';
import { Aws, Deployment, deployment } from './checks/deployment';
import { checkFlowLogs, checkNatInstance, checkSubnetsAndNat } from './checks/network';
import { checkAccessLogs, checkLoadBalancer } from './checks/edge';
import { checkCapacity, checkCluster, checkNatSchedule, checkSchedule, checkSpot } from './checks/compute';
import { checkService } from './checks/services';
import { checkBlueGreenDeployment } from './checks/blue-green';
import { checkOperations, checkOperatorCommands, checkStatusAfterDestroy, checkWakeAndWait } from './checks/operations';

const OUT_DIR = join(WORK_DIR, 'integration');
/** The name that runs the upgrade check (harness/upgrade.ts). */
const UPGRADE = 'upgrade';
/** The name that runs the registry check (harness/registry-check.ts). */
const REGISTRY = 'registry';

/** Reads what apply created (found by the stack's outputs) and checks it against the environment's config. */
function checkDeployment(d: Deployment): void {
  const { checks, aws, config, out } = d;
  checkSubnetsAndNat(d);
  checkLoadBalancer(d);
  for (const service of config.services) checkService(d, service);
  checkHttps(checks, aws, config, out);
  if (config.natMode === 'instance') checkNatInstance(d);
  if (config.schedule.enabled) checkSchedule(d);
  if (config.schedule.enabled && config.natMode === 'instance') checkNatSchedule(d);
  if (config.flowLogs) checkFlowLogs(d);
  if (config.loadBalancer.accessLogs) checkAccessLogs(d);
  checkCapacity(d);
  checkCluster(d);
  if (config.spot.enabled) checkSpot(d);
}

/**
 * Provider 5.x replaces an ECS service whose capacity provider strategy changes unless
 * force_new_deployment is set: change every service's strategy weight in the synthesized stack,
 * plan, and require an in-place update of each rolling service, and no change at all of a
 * blue-green one (CodeDeploy's AppSpec owns its strategy). The stack file is restored afterwards.
 */
async function checkStrategyChangeInPlace(checks: Checks, setup: TerraformSetup, dir: string): Promise<void> {
  const file = join(dir, 'cdk.tf.json');
  const original = readFileSync(file, 'utf8');
  const stack = JSON.parse(original);
  const services: Record<string, Json> = stack.resource.aws_ecs_service;
  for (const service of Object.values(services)) {
    for (const item of service.capacity_provider_strategy) item.weight += 1;
  }
  writeFileSync(file, JSON.stringify(stack, null, 2));
  try {
    const plan = await step(checks, setup, dir, 'plan-strategy', ['plan', '-out=strategy.tfplan']);
    checks.run('a changed capacity provider strategy weight updates each rolling ECS service in place (no replacement)', () => {
      expect(plan.code === 0, `${firstError(plan.output)} (log: ${join(dir, 'plan-strategy.log')})`);
      const rolling = Object.entries(services)
        .filter(([, s]) => s.deployment_controller?.type !== 'CODE_DEPLOY')
        .map(([id]) => `aws_ecs_service.${id}`);
      const changes = planChanges(setup, dir, 'strategy.tfplan').filter(
        (c) => c.type === 'aws_ecs_service' && c.change.actions.join() !== 'no-op',
      );
      const wrong = changes.filter((c) => !rolling.includes(c.address) || c.change.actions.join() !== 'update');
      expect(wrong.length === 0, wrong.map((c) => `${c.address}: ${c.change.actions.join('/')}`).join('; '));
      expect(changes.length === rolling.length, `${changes.length} aws_ecs_service changes, expected ${rolling.length}`);
      const codeDeployed = Object.keys(services).length - rolling.length;
      return `${changes.map((c) => `${c.address}: update`).join(', ')}${codeDeployed ? `; ${codeDeployed} CODE_DEPLOY service(s) unchanged` : ''}`;
    });
  } finally {
    writeFileSync(file, original);
  }
}

/** After a successful apply: the deployment, a second plan, the strategy check, then what operators do with it. */
async function checkApplied(checks: Checks, env: TerraformSetup, aws: Aws, endpoint: string, config: EnvironmentConfig, dir: string) {
  const d = deployment(checks, aws, endpoint, config, readOutputs(env, dir));
  checkDeployment(d);
  // moto's answers are not complete enough for an empty re-plan: record the drift, don't assert on it.
  const plan = await step(checks, env, dir, 'plan', ['plan', '-detailed-exitcode']);
  const changes = plannedChanges(plan.output);
  if (plan.code === 1) checks.log(`second plan failed (not asserted): ${firstError(plan.output)}`);
  else
    checks.log(
      `second plan (not asserted): ${changes.length === 0 ? 'no changes' : `${changes.length} would change, see ${join(dir, 'plan.log')}`}`,
    );
  changes.forEach((c) => checks.log(`  ${c}`));
  await checkStrategyChangeInPlace(checks, env, dir);
  if (config.services.some((s) => s.deployment.blueGreen)) await checkBlueGreenDeployment(d, env, dir);
  checkOperations(d);
  checkWakeAndWait(d);
  checkOperatorCommands(d);
}

/** Destroy even after a failed apply: it must clean up whatever was created. */
async function destroyToEmpty(checks: Checks, env: TerraformSetup, aws: Aws, dir: string): Promise<void> {
  let vpcId: string | undefined;
  try {
    vpcId = readOutputs(env, dir).vpc_id;
  } catch {
    vpcId = undefined;
  }
  const destroy = await step(checks, env, dir, 'destroy', ['destroy', '-auto-approve']);
  checks.run('terraform destroy leaves an empty state', () => {
    expect(destroy.code === 0, `${firstError(destroy.output)} (log: ${join(dir, 'destroy.log')})`);
    const state = spawnSync('terraform', ['state', 'list'], { cwd: dir, env: env.env, encoding: 'utf8' });
    expect(state.status === 0, `terraform state list: ${state.stderr.trim()}`);
    const left = state.stdout.trim();
    expect(left === '', `still in state: ${left.split('\n').join(', ')}`);
    if (vpcId) {
      const vpcs = aws('ec2', 'describe-vpcs', '--filters', `Name=vpc-id,Values=${vpcId}`).Vpcs;
      expect(vpcs.length === 0, `the VPC ${vpcId} is still in the emulator`);
    }
    return /Resources: (\d+) destroyed/.exec(destroy.output)?.[0];
  });
}

async function runEnvironment(setup: TerraformSetup, emulator: Emulator, environment: string, checks: Checks): Promise<void> {
  const { config, dir } = synthEmulatorStack(environment, emulator.endpoint, join(OUT_DIR, environment));
  checks.log(
    `== ${environment}: ${config.availabilityZones.length} AZs, NAT ${config.natMode}, services ${config.services.map((s) => s.name).join(', ')}, images from a URI (the docker provider is not used) ==`,
  );
  const env = { ...setup, env: emulatorAwsEnv(setup.env) };
  const aws = awsCli(emulator.endpoint, config.region);

  const init = await oneAtATime(() => step(checks, env, dir, 'init', ['init']));
  if (!checks.run('terraform init', () => expect(init.code === 0, firstError(init.output)))) return;
  let zoneId: string | undefined;
  if (
    config.domain?.zoneName &&
    !checks.run(
      `hosted zone ${config.domain.zoneName} created first (the stack looks it up)`,
      () => (zoneId = createHostedZone(aws, config)),
    )
  )
    return;

  const apply = await step(checks, env, dir, 'apply', ['apply', '-auto-approve']);
  const applied = checks.run('terraform apply', () => {
    expect(apply.code === 0, `${firstError(apply.output)} (log: ${join(dir, 'apply.log')})`);
    return /Resources: (\d+) added/.exec(apply.output)?.[0];
  });
  if (applied) await checkApplied(checks, env, aws, emulator.endpoint, config, dir);
  await destroyToEmpty(checks, env, aws, dir);
  if (applied) checkStatusAfterDestroy(checks, emulator.endpoint, environment);
  if (zoneId) checks.run('hosted zone deleted (destroy left no record in it)', () => deleteHostedZone(aws, zoneId!));
}

/** A server error from moto is the emulator's fault, never a pass: the request the SDK retried would hide it. */
function emulatorHealth(emulators: readonly (Emulator | undefined)[]): Checks {
  const checks = new Checks();
  for (const emulator of emulators.filter((e): e is Emulator => e !== undefined)) {
    checks.run(`moto at ${emulator.endpoint} answered no request with a server error`, () => checkNoServerErrors(emulator));
  }
  console.log(['', ...checks.lines].join('\n'));
  return checks;
}

async function main(): Promise<number> {
  const start = performance.now();
  const named = process.argv.slice(2).filter((a) => a.trim() !== '');
  // Default: every environment (the example too), the upgrade and registry checks; `upgrade` or `registry` names one alone.
  const runs = [...new Set(named.length > 0 ? named : [...Object.keys(ENVIRONMENTS), UPGRADE, REGISTRY])];
  const environments = runs.filter((r) => r !== UPGRADE && r !== REGISTRY);
  selectEnvironments(environments); // unknown names fail here, before anything starts
  const setup = await prepareTerraform();
  const cli = requireAwsCli();
  const moto = findMoto();
  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });
  const emulator = await startEmulator(moto, join(OUT_DIR, 'moto.log'));
  // The upgrade check deploys dev's names too: it gets a moto of its own.
  const upgradeEmulator = runs.includes(UPGRADE) ? await startEmulator(moto, join(OUT_DIR, 'moto-upgrade.log')) : undefined;
  console.log(`terraform ${setup.version}; ${setup.description}`);
  console.log(
    `moto ${emulator.version} (patched, harness/moto_launcher.py) at ${emulator.endpoint}${upgradeEmulator ? ` (upgrade check: ${upgradeEmulator.endpoint})` : ''}; ${cli}`,
  );

  let results: Checks[];
  try {
    results = await Promise.all(
      runs.map(async (run) => {
        const checks = new Checks();
        const job =
          run === UPGRADE
            ? runUpgrade(setup, upgradeEmulator!, OUT_DIR, checks)
            : run === REGISTRY
              ? runRegistry(setup, emulator, OUT_DIR, checks)
              : runEnvironment(setup, emulator, run, checks);
        await job.catch((error) =>
          checks.run('harness', () => {
            throw error;
          }),
        );
        console.log(['', ...checks.lines].join('\n'));
        return checks;
      }),
    );
  } finally {
    emulator.stop();
    upgradeEmulator?.stop();
  }
  results.push(emulatorHealth([emulator, upgradeEmulator]));
  const passed = results.reduce((n, c) => n + c.passed, 0);
  const failed = results.reduce((n, c) => n + c.failed, 0);
  console.log(`\nintegration took ${seconds(start)}`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

runHarness(main);
