/**
 * The upgrade check (a step of `npm run test:integration`, alone: `npm run test:integration -- upgrade`):
 * apply the dev stack as the single-service layout synthesized it (a committed fixture), plan the
 * current code on that state, and assert that the VPC, the ALB, the cluster, the Auto Scaling group
 * and the ECS service are kept (updated in place at most, never replaced or destroyed). It prints
 * what moves and what changes, then applies the upgrade and destroys it.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Emulator } from './emulator';
import { emulatorProvider, synthEmulatorStack } from './emulator-stack';
import { Checks, emulatorAwsEnv, expect, oneAtATime, step } from './checks';
import { firstError, TerraformSetup } from './terraform';

/** dev as commit 0b2f5c9 synthesized it for moto; see harness/fixtures/README.md. */
export const UPGRADE_FIXTURE = join(__dirname, 'fixtures', 'host-name-dev-0b2f5c9.cdk.tf.json');

/** What an existing deployment must keep: these are never replaced or destroyed by the upgrade. */
export const MUST_KEEP = ['aws_vpc', 'aws_lb', 'aws_ecs_cluster', 'aws_autoscaling_group', 'aws_ecs_service'] as const;

export interface ResourceChange {
  readonly address: string;
  readonly previous_address?: string;
  readonly type: string;
  readonly change: { readonly actions: readonly string[]; readonly replace_paths?: unknown[] };
}

/** The resource changes of a saved plan (`terraform show -json`). */
export function planChanges(setup: TerraformSetup, dir: string, planFile: string): ResourceChange[] {
  const r = spawnSync('terraform', ['show', '-json', planFile], { cwd: dir, env: setup.env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`terraform show: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout).resource_changes ?? [];
}

const replaced = (c: ResourceChange) => c.change.actions.includes('delete') && c.change.actions.includes('create');
const describe = (c: ResourceChange) => {
  const paths = (c.change.replace_paths ?? []).map((p) => (Array.isArray(p) ? p.join('.') : String(p)));
  return `${c.previous_address ? `${c.previous_address} -> ` : ''}${c.address}${paths.length ? ` (forces replacement: ${paths.join(', ')})` : ''}`;
};

export async function runUpgrade(setup: TerraformSetup, emulator: Emulator, outDir: string, checks: Checks): Promise<void> {
  const dir = join(outDir, 'upgrade');
  mkdirSync(dir, { recursive: true });
  const env = { ...setup, env: emulatorAwsEnv(setup.env) };
  checks.log('== upgrade: dev as 0b2f5c9 deployed it, then the current code planned and applied on that state ==');

  const fixture = JSON.parse(readFileSync(UPGRADE_FIXTURE, 'utf8'));
  fixture.provider.aws[0].endpoints = emulatorProvider(emulator.endpoint).endpoints;
  writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(fixture, null, 2));

  const init = await oneAtATime(() => step(checks, env, dir, 'init', ['init']));
  if (!checks.run('upgrade: terraform init (old layout)', () => expect(init.code === 0, firstError(init.output)))) return;
  const apply = await step(checks, env, dir, 'apply-old', ['apply', '-auto-approve']);
  const applied = checks.run('upgrade: the old layout applies', () => {
    expect(apply.code === 0, `${firstError(apply.output)} (log: ${join(dir, 'apply-old.log')})`);
    return /Resources: (\d+) added/.exec(apply.output)?.[0];
  });

  if (applied) {
    // What the old code itself would change on a re-plan: moto's answers, not the upgrade.
    await step(checks, env, dir, 'plan-old', ['plan', '-out=old.tfplan']);
    const noise = new Set(planChanges(env, dir, 'old.tfplan').filter(replaced).map((c) => c.address));

    const { dir: synthDir } = synthEmulatorStack('dev', emulator.endpoint, join(outDir, 'upgrade-synth'));
    copyFileSync(join(synthDir, 'cdk.tf.json'), join(dir, 'cdk.tf.json'));
    const reinit = await oneAtATime(() => step(checks, env, dir, 'init-new', ['init']));
    const plan = await step(checks, env, dir, 'plan-new', ['plan', '-out=new.tfplan']);
    const planned = checks.run('upgrade: the current code plans on the old state', () => {
      expect(reinit.code === 0, firstError(reinit.output));
      expect(plan.code === 0, `${firstError(plan.output)} (log: ${join(dir, 'plan-new.log')})`);
    });
    if (planned) {
      const changes = planChanges(env, dir, 'new.tfplan');
      reportPlan(checks, changes, noise);
      checks.run(`upgrade: ${MUST_KEEP.join(', ')} are kept (moved or in place, never replaced or destroyed)`, () => {
        const kept = changes.filter((c) => (MUST_KEEP as readonly string[]).includes(c.type));
        const lost = kept.filter((c) => c.change.actions.includes('delete'));
        expect(lost.length === 0, lost.map(describe).join('; '));
        for (const type of MUST_KEEP) expect(kept.some((c) => c.type === type), `no ${type} in the plan`);
        return kept.map((c) => `${c.type} ${c.change.actions.join('/')}`).join(', ');
      });
      const upgrade = await step(checks, env, dir, 'apply-new', ['apply', 'new.tfplan']);
      checks.run('upgrade: the plan applies (the renamed target group is created before the old one goes)', () =>
        expect(upgrade.code === 0, `${firstError(upgrade.output)} (log: ${join(dir, 'apply-new.log')})`),
      );
    }
  }

  const destroy = await step(checks, env, dir, 'destroy', ['destroy', '-auto-approve']);
  checks.run('upgrade: terraform destroy leaves an empty state', () => {
    expect(destroy.code === 0, `${firstError(destroy.output)} (log: ${join(dir, 'destroy.log')})`);
    const state = spawnSync('terraform', ['state', 'list'], { cwd: dir, env: env.env, encoding: 'utf8' });
    expect(state.stdout.trim() === '', `still in state: ${state.stdout.trim().split('\n').join(', ')}`);
  });
}

/** Prints what the upgrade moves, replaces, changes in place, creates and destroys. */
function reportPlan(checks: Checks, changes: readonly ResourceChange[], noise: ReadonlySet<string>): void {
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
    list.forEach((c) => checks.log(`    ${describe(c)}${noise.has(c.previous_address ?? c.address) ? ' [the old code re-planned replaces it too: emulator]' : ''}`));
  }
}
