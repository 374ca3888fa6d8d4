/**
 * The upgrade check (a step of `npm run test:integration`, alone: `npm run test:integration -- upgrade`):
 * per committed fixture (an environment as older code synthesized it), apply it, plan the current
 * code on that state, and assert that the VPC, the ALB, the cluster, the Auto Scaling group and the
 * ECS service are kept (updated in place at most, never replaced or destroyed), and that no
 * data-bearing resource is destroyed or replaced. It prints what moves and what changes, then
 * applies the upgrade and destroys it.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Emulator } from './emulator';
import { emulatorProvider, synthEmulatorStack } from './emulator-stack';
import { awsCli, Checks, emulatorAwsEnv, expect, oneAtATime, step } from './checks';
import { createHostedZone, deleteHostedZone } from './https-checks';
import { selectEnvironments } from '../src/environment/select';
import { firstError, TerraformSetup } from './terraform';
import { runMoveToFargate } from './upgrade-fargate';

export interface UpgradeFixture {
  readonly environment: string;
  /** The commit that synthesized it. */
  readonly commit: string;
  readonly file: string;
}

const fixture = (environment: string, commit: string): UpgradeFixture => ({
  environment,
  commit,
  file: join(__dirname, 'fixtures', `host-name-${environment}-${commit}.cdk.tf.json`),
});

/** Deployments as older code synthesized them for moto; see harness/fixtures/README.md. */
export const UPGRADE_FIXTURES: readonly UpgradeFixture[] = [
  // The single-service layout.
  fixture('dev', '0b2f5c9'),
  // Before the operations keys were merged: dev's exec sessions had a key of their own.
  fixture('dev', 'b463bd3'),
  fixture('prod', 'b463bd3'),
];

/** What an existing deployment must keep: these are never replaced or destroyed by the upgrade. */
export const MUST_KEEP = ['aws_vpc', 'aws_lb', 'aws_ecs_cluster', 'aws_autoscaling_group', 'aws_ecs_service'] as const;

/** What holds data that a new resource would not have: never destroyed or replaced by an upgrade (forgotten with `removed` at most). */
export const DATA_BEARING = [
  'aws_kms_key',
  'aws_cloudwatch_log_group',
  'aws_s3_bucket',
  'aws_ecr_repository',
  'aws_secretsmanager_secret',
] as const;

export interface ResourceChange {
  readonly address: string;
  readonly previous_address?: string;
  readonly type: string;
  readonly change: {
    readonly actions: readonly string[];
    readonly replace_paths?: unknown[];
    readonly before?: { readonly type?: string } | null;
  };
}

/** Changes that destroy or replace a data-bearing resource (a SecureString parameter included). */
export function dataLost(changes: readonly ResourceChange[]): ResourceChange[] {
  const bearsData = (c: ResourceChange) =>
    (DATA_BEARING as readonly string[]).includes(c.type) || (c.type === 'aws_ssm_parameter' && c.change.before?.type === 'SecureString');
  return changes.filter((c) => bearsData(c) && c.change.actions.includes('delete'));
}

/** The resource changes of a saved plan (`terraform show -json`). */
export function planChanges(setup: TerraformSetup, dir: string, planFile: string): ResourceChange[] {
  const r = spawnSync('terraform', ['show', '-json', planFile], {
    cwd: dir,
    env: setup.env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`terraform show: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout).resource_changes ?? [];
}

export const replaced = (c: ResourceChange) => c.change.actions.includes('delete') && c.change.actions.includes('create');
export const describe = (c: ResourceChange) => {
  const paths = (c.change.replace_paths ?? []).map((p) => (Array.isArray(p) ? p.join('.') : String(p)));
  return `${c.previous_address ? `${c.previous_address} -> ` : ''}${c.address}${paths.length ? ` (forces replacement: ${paths.join(', ')})` : ''}`;
};

export async function runUpgrade(setup: TerraformSetup, emulator: Emulator, outDir: string, checks: Checks): Promise<void> {
  // Fixtures of one environment share its names: one after another; environments in parallel.
  const environments = [...new Set(UPGRADE_FIXTURES.map((f) => f.environment))];
  const logs = await Promise.all([
    ...environments.map(async (environment) => {
      const own = new Checks();
      for (const f of UPGRADE_FIXTURES.filter((x) => x.environment === environment)) {
        await upgradeFrom(setup, emulator, outDir, own, f).catch((error) =>
          own.run(`upgrade ${f.environment}@${f.commit}: harness`, () => {
            throw error;
          }),
        );
      }
      return own;
    }),
    // The bridge-to-Fargate move, on the microservices example (names of its own).
    (async () => {
      const own = new Checks();
      await runMoveToFargate(setup, emulator, outDir, own).catch((error) =>
        own.run('upgrade to Fargate: harness', () => {
          throw error;
        }),
      );
      return own;
    })(),
  ]);
  for (const own of logs) {
    own.lines.forEach((line) => checks.lines.push(line));
    checks.passed += own.passed;
    checks.failed += own.failed;
  }
}

async function upgradeFrom(setup: TerraformSetup, emulator: Emulator, outDir: string, checks: Checks, f: UpgradeFixture): Promise<void> {
  const name = `${f.environment}@${f.commit}`;
  const dir = join(outDir, `upgrade-${f.environment}-${f.commit}`);
  mkdirSync(dir, { recursive: true });
  const env = { ...setup, env: emulatorAwsEnv(setup.env) };
  checks.log(`== upgrade ${name}: ${f.environment} as ${f.commit} deployed it, then the current code planned and applied on that state ==`);

  const fixture = JSON.parse(readFileSync(f.file, 'utf8'));
  fixture.provider.aws[0].endpoints = emulatorProvider(emulator.endpoint).endpoints;
  for (const group of dropUnlaunchableGroups(fixture)) {
    checks.log(
      `${group}: names a subnet beside an existing interface, which AWS refuses: its create failed there, so the old state starts without it`,
    );
  }
  writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(fixture, null, 2));
  const [config] = selectEnvironments([f.environment]);
  const aws = awsCli(emulator.endpoint, config.region);

  const init = await oneAtATime(() => step(checks, env, dir, 'init', ['init']));
  if (!checks.run(`upgrade ${name}: terraform init (old layout)`, () => expect(init.code === 0, firstError(init.output)))) return;
  let zoneId: string | undefined;
  if (
    config.domain?.zoneName &&
    !checks.run(`upgrade ${name}: hosted zone ${config.domain.zoneName} created first`, () => (zoneId = createHostedZone(aws, config)))
  )
    return;
  const apply = await step(checks, env, dir, 'apply-old', ['apply', '-auto-approve']);
  const applied = checks.run(`upgrade ${name}: the old layout applies`, () => {
    expect(apply.code === 0, `${firstError(apply.output)} (log: ${join(dir, 'apply-old.log')})`);
    return /Resources: (\d+) added/.exec(apply.output)?.[0];
  });

  if (applied) {
    // What the old code itself would change on a re-plan: moto's answers, not the upgrade.
    await step(checks, env, dir, 'plan-old', ['plan', '-out=old.tfplan']);
    const noise = new Set(
      planChanges(env, dir, 'old.tfplan')
        .filter(replaced)
        .map((c) => c.address),
    );

    const { dir: synthDir } = synthEmulatorStack(
      f.environment,
      emulator.endpoint,
      join(outDir, `upgrade-synth-${f.environment}-${f.commit}`),
    );
    copyFileSync(join(synthDir, 'cdk.tf.json'), join(dir, 'cdk.tf.json'));
    const reinit = await oneAtATime(() => step(checks, env, dir, 'init-new', ['init']));
    const plan = await step(checks, env, dir, 'plan-new', ['plan', '-out=new.tfplan']);
    const planned = checks.run(`upgrade ${name}: the current code plans on the old state`, () => {
      expect(reinit.code === 0, firstError(reinit.output));
      expect(plan.code === 0, `${firstError(plan.output)} (log: ${join(dir, 'plan-new.log')})`);
    });
    if (planned) {
      const changes = planChanges(env, dir, 'new.tfplan');
      reportPlan(checks, changes, noise);
      checks.run(`upgrade ${name}: ${MUST_KEEP.join(', ')} are kept (moved or in place, never replaced or destroyed)`, () => {
        const kept = changes.filter((c) => (MUST_KEEP as readonly string[]).includes(c.type));
        const lost = kept.filter((c) => c.change.actions.includes('delete'));
        expect(lost.length === 0, lost.map(describe).join('; '));
        for (const type of MUST_KEEP)
          expect(
            kept.some((c) => c.type === type),
            `no ${type} in the plan`,
          );
        return kept.map((c) => `${c.type} ${c.change.actions.join('/')}`).join(', ');
      });
      checks.run(
        `upgrade ${name}: no data-bearing resource (${DATA_BEARING.join(', ')}, SecureString parameters) is destroyed or replaced`,
        () => {
          const lost = dataLost(changes);
          expect(lost.length === 0, lost.map((c) => `${describe(c)} (${c.change.actions.join('/')})`).join('; '));
          const bearing = changes.filter((c) => (DATA_BEARING as readonly string[]).includes(c.type));
          return `${bearing.length} checked: ${bearing.map((c) => `${c.type} ${c.change.actions.join('/')}`).join(', ')}`;
        },
      );
      const upgrade = await step(checks, env, dir, 'apply-new', ['apply', 'new.tfplan']);
      checks.run(`upgrade ${name}: the plan applies`, () =>
        expect(upgrade.code === 0, `${firstError(upgrade.output)} (log: ${join(dir, 'apply-new.log')})`),
      );
    }
  }

  const destroy = await step(checks, env, dir, 'destroy', ['destroy', '-auto-approve']);
  checks.run(`upgrade ${name}: terraform destroy leaves an empty state`, () => {
    expect(destroy.code === 0, `${firstError(destroy.output)} (log: ${join(dir, 'destroy.log')})`);
    const state = spawnSync('terraform', ['state', 'list'], { cwd: dir, env: env.env, encoding: 'utf8' });
    expect(state.stdout.trim() === '', `still in state: ${state.stdout.trim().split('\n').join(', ')}`);
  });
  if (zoneId) checks.run(`upgrade ${name}: hosted zone deleted`, () => deleteHostedZone(aws, zoneId!));
}

/** Prints what the upgrade moves, replaces, changes in place, creates and destroys. */
export function reportPlan(checks: Checks, changes: readonly ResourceChange[], noise: ReadonlySet<string>): void {
  const groups: [string, (c: ResourceChange) => boolean][] = [
    ['replaced', replaced],
    ['updated in place', (c) => c.change.actions.join() === 'update'],
    ['created', (c) => c.change.actions.join() === 'create'],
    ['destroyed', (c) => c.change.actions.join() === 'delete'],
    ['moved, otherwise unchanged', (c) => c.change.actions.join() === 'no-op' && c.previous_address !== undefined],
  ];
  checks.log(`upgrade plan: ${changes.filter((c) => c.previous_address).length} moved, ${changes.filter(replaced).length} replaced`);
  for (const [what, matches] of groups) {
    const list = changes.filter(matches);
    if (list.length === 0) continue;
    checks.log(`  ${what}:`);
    list.forEach((c) =>
      checks.log(
        `    ${describe(c)}${noise.has(c.previous_address ?? c.address) ? ' [the old code re-planned replaces it too: emulator]' : ''}`,
      ),
    );
  }
}

type Tf = Record<string, any>;

/**
 * Removes from an old fixture each Auto Scaling group that sets `vpc_zone_identifier` while its
 * launch template names an existing network interface, with everything that refers to it. AWS
 * refuses that pairing (InvalidParameterCombination;
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/create-launch-template.html), so such a
 * group never came up and the stricter emulator refuses it too. Returns the removed groups' addresses.
 */
export function dropUnlaunchableGroups(fixture: Tf): string[] {
  const resources: Tf = fixture.resource ?? {};
  const templates: Tf = resources.aws_launch_template ?? {};
  const namesInterface = (template: string) =>
    [templates[template]?.network_interfaces ?? []].flat().some((ni: Tf) => ni.network_interface_id !== undefined);
  const unlaunchable = Object.entries<Tf>(resources.aws_autoscaling_group ?? {})
    .filter(([, g]) => g.vpc_zone_identifier !== undefined)
    .filter(([, g]) => {
      const ref = /aws_launch_template\.([\w-]+)\./.exec(JSON.stringify(g.launch_template ?? g.mixed_instances_policy ?? {}));
      return ref !== null && namesInterface(ref[1]);
    })
    .map(([name]) => `aws_autoscaling_group.${name}`);
  const refersToDropped = (value: unknown) =>
    unlaunchable.some((address) => JSON.stringify(value).includes(`${address}.`) || JSON.stringify(value).includes(`"${address}"`));
  for (const address of unlaunchable) delete resources.aws_autoscaling_group[address.split('.')[1]];
  for (const [type, byName] of Object.entries<Tf>(resources)) {
    for (const [name, body] of Object.entries<Tf>(byName)) if (refersToDropped(body)) delete resources[type][name];
  }
  for (const [name, output] of Object.entries<Tf>(fixture.output ?? {})) if (refersToDropped(output)) delete fixture.output[name];
  return unlaunchable;
}
