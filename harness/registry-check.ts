/**
 * The registry check (`npm run test:integration -- registry`): one owner for every ECR repository,
 * whichever path builds the image. Against moto: apply host-name-registry, then dev as a laptop
 * deploys it (built with the docker provider), then as CI deploys it (image by URI), then the laptop
 * path again. ECR names are unique per registry, so an environment stack that owned its repository
 * and forgot it on the URI path could never create it again (RepositoryAlreadyExistsException).
 *
 * The docker provider is not available offline, so the environment stacks are applied as their ECR
 * part: every aws_ecr_* resource and data source, the `removed`, `moved` and `import` blocks about
 * them, the AWS provider. Nothing else in the stack touches a repository; the docker resources only
 * push into the one the ECR part names.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Testing } from 'cdktf';
import { addEnvironmentStacks, addRegistryStack, registryEnvironments } from '../src/app';
import { HOST_NAME_SERVICE, selectEnvironments } from '../src/environment/select';
import { Emulator } from './emulator';
import { EMULATOR_IMAGE_URI, emulatorProvider } from './emulator-stack';
import { awsCli, Checks, emulatorAwsEnv, expect, Json, oneAtATime, step } from './checks';
import { planChanges } from './upgrade';
import { firstError, TerraformSetup } from './terraform';

/** A repository older code's environment stack left behind: the registry must adopt it, not fail to create it. */
const LEFT_BEHIND = 'prod';

type Tf = Record<string, any>;

const isEcr = (type: string) => type.startsWith('aws_ecr_') && type !== 'aws_ecr_authorization_token';
const filterMap = (m: Tf | undefined, keep: (k: string) => boolean) => Object.fromEntries(Object.entries(m ?? {}).filter(([k]) => keep(k)));

/** The ECR part of a synthesized stack (see above), with local state. */
export function ecrPart(json: Tf): Tf {
  const kept = (address: string) => isEcr(address.split('.')[0]);
  const part: Tf = {
    terraform: { ...json.terraform, backend: { local: { path: 'terraform.tfstate' } } },
    provider: { aws: json.provider.aws },
  };
  // Terraform refuses an empty block.
  for (const block of ['resource', 'data'] as const) {
    const kept = filterMap(json[block], isEcr);
    if (Object.keys(kept).length > 0) part[block] = kept;
  }
  part.terraform.required_providers = filterMap(json.terraform.required_providers, (k) => k === 'aws');
  for (const block of ['removed', 'moved', 'import'] as const) {
    const list = ((json[block] ?? []) as Tf[]).filter((b) => kept(String(b.from ?? b.to)) && (block !== 'moved' || kept(String(b.to))));
    if (list.length > 0) part[block] = list;
  }
  return part;
}

/** The environment's stack as synthesized for moto, `imageUri` set (host-name's HOST_NAME_IMAGES entry) for the CI path. */
function environmentJson(environment: string, endpoint: string, imageUri?: string): Tf {
  const [config] = selectEnvironments([environment], { images: imageUri ? { [HOST_NAME_SERVICE]: imageUri } : undefined });
  const [stack] = addEnvironmentStacks(Testing.app(), [config], { providerOverrides: emulatorProvider(endpoint) });
  return JSON.parse(Testing.synth(stack));
}

/** host-name-registry as main.ts makes it, pointed at moto (its provider settings from an environment stack's). Test-only: destroy may delete it. */
function registryJson(emulatorAws: Tf): Tf {
  const json: Tf = JSON.parse(Testing.synth(addRegistryStack(new App(), registryEnvironments())));
  const { region, default_tags, ...emulator } = emulatorAws;
  json.provider.aws = [{ ...json.provider.aws[0], ...emulator }];
  json.terraform = { ...json.terraform, backend: { local: { path: 'terraform.tfstate' } } };
  for (const repo of Object.values<Tf>(json.resource.aws_ecr_repository ?? {})) {
    repo.lifecycle = { ...repo.lifecycle, prevent_destroy: false };
    repo.force_delete = true;
  }
  return json;
}

function write(dir: string, json: Tf): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(json, null, 2));
}

export async function runRegistry(setup: TerraformSetup, emulator: Emulator, outDir: string, checks: Checks): Promise<void> {
  const env = { ...setup, env: emulatorAwsEnv(setup.env) };
  const [dev] = selectEnvironments(['dev']);
  const aws = awsCli(emulator.endpoint, dev.region);
  checks.log(
    '== registry: host-name-registry, then dev from a laptop (build), from CI (URI), from a laptop again: one owner per ECR repository ==',
  );
  const built = environmentJson('dev', emulator.endpoint);
  const registryDir = join(outDir, 'registry', 'host-name-registry');
  const devDir = join(outDir, 'registry', 'host-name-dev');
  write(registryDir, registryJson(built.provider.aws[0]));

  const [prod] = selectEnvironments([LEFT_BEHIND]);
  const leftBehind = prod.services.flatMap((s) => (s.image.kind === 'build' ? [s.image.repositoryName] : []))[0];
  const run = async (dir: string, name: string, args: string[]) => {
    const r = await step(checks, env, dir, name, args);
    expect(r.code === 0, `${firstError(r.output)} (log: ${join(dir, `${name}.log`)})`);
    return r;
  };
  const ok = async (title: string, body: () => Promise<string | void>) => {
    let detail: string | void;
    try {
      detail = await body();
    } catch (error) {
      return checks.run(title, () => {
        throw error;
      });
    }
    return checks.run(title, () => detail);
  };

  try {
    await oneAtATime(() => run(registryDir, 'init', ['init']));
    await ok(
      `registry: a repository an environment stack of older code left behind (${leftBehind}) is adopted, not created again`,
      async () => {
        // As the environment stack created it: KMS, immutable tags, scan on push.
        if (leftBehind) {
          aws(
            'ecr',
            'create-repository',
            '--repository-name',
            leftBehind,
            '--image-tag-mutability',
            'IMMUTABLE',
            '--image-scanning-configuration',
            'scanOnPush=true',
            '--encryption-configuration',
            'encryptionType=KMS',
          );
        }
        await run(registryDir, 'plan', ['plan', '-out=registry.tfplan']);
        const changes = planChanges(env, registryDir, 'registry.tfplan').filter((c: Json) => c.type === 'aws_ecr_repository');
        const list = changes
          .map((c: Json) => `${c.address} ${c.change.importing ? 'import/' : ''}${c.change.actions.join('/')}`)
          .join(', ');
        const adopted = changes.filter((c: Json) => c.change.importing && c.change.after?.name === leftBehind);
        expect(leftBehind !== undefined && adopted.length === 1, `the plan does not import ${leftBehind}: ${list}`);
        expect(!changes.some((c) => c.change.actions.includes('delete')), `the plan replaces or destroys a repository: ${list}`);
        const apply = await run(registryDir, 'apply', ['apply', 'registry.tfplan']);
        return /Resources: .*/.exec(apply.output)?.[0];
      },
    );

    write(devDir, ecrPart(built));
    const laptop = () => ecrPart(built);
    const ci = () => ecrPart(environmentJson('dev', emulator.endpoint, EMULATOR_IMAGE_URI));
    await oneAtATime(() => run(devDir, 'init', ['init']));
    await ok('registry: dev from a laptop (build) applies', async () => {
      write(devDir, laptop());
      return /Resources: .*/.exec((await run(devDir, 'apply-laptop', ['apply', '-auto-approve'])).output)?.[0];
    });
    await ok('registry: dev from CI (image by URI) applies', async () => {
      write(devDir, ci());
      return /Resources: .*/.exec((await run(devDir, 'apply-ci', ['apply', '-auto-approve'])).output)?.[0];
    });
    await ok(
      'registry: dev from a laptop again plans no aws_ecr_repository create and applies (no RepositoryAlreadyExistsException)',
      async () => {
        write(devDir, laptop());
        await run(devDir, 'plan-laptop-again', ['plan', '-out=again.tfplan']);
        const creates = planChanges(env, devDir, 'again.tfplan').filter(
          (c) => c.type === 'aws_ecr_repository' && c.change.actions.includes('create'),
        );
        const apply = await step(checks, env, devDir, 'apply-laptop-again', ['apply', 'again.tfplan']);
        expect(
          apply.code === 0,
          `${firstError(apply.output)}${creates.length > 0 ? ` (the plan creates ${creates.map((c) => c.address).join(', ')})` : ''}`,
        );
        expect(creates.length === 0, `the plan creates ${creates.map((c) => c.address).join(', ')}`);
        return /Resources: .*/.exec(apply.output)?.[0];
      },
    );
    await ok("registry: every repository an environment pushes to is in the registry's state", async () => {
      const owned = spawnSync('terraform', ['state', 'list'], { cwd: registryDir, env: env.env, encoding: 'utf8' }).stdout;
      const names: string[] = aws('ecr', 'describe-repositories').repositories.map((r: Json) => r.repositoryName);
      const state = JSON.parse(
        spawnSync('terraform', ['show', '-json'], { cwd: registryDir, env: env.env, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }).stdout,
      );
      const managed: string[] = (state.values?.root_module?.resources ?? [])
        .filter((r: Json) => r.type === 'aws_ecr_repository')
        .map((r: Json) => r.values.name);
      const orphans = names.filter((n) => !managed.includes(n));
      expect(
        orphans.length === 0,
        `in ECR but owned by no registry state: ${orphans.join(', ')} (registry state: ${owned.trim().split('\n').join(', ')})`,
      );
      return names.sort().join(', ');
    });
  } finally {
    for (const dir of [devDir, registryDir]) {
      const destroy = await step(checks, env, dir, 'destroy', ['destroy', '-auto-approve']);
      checks.run(`registry: ${dir.split('/').pop()} destroys`, () =>
        expect(destroy.code === 0, `${firstError(destroy.output)} (log: ${join(dir, 'destroy.log')})`),
      );
    }
    // What no state owns any more (older code's forgotten repository) goes too: the next run starts clean.
    try {
      for (const r of aws('ecr', 'describe-repositories').repositories as Json[])
        aws('ecr', 'delete-repository', '--repository-name', r.repositoryName, '--force');
    } catch {
      // moto is stopped after the run anyway
    }
  }
}
