/**
 * `npm run validate`: synthesizes every environment's stack and has Terraform itself check it
 * (`terraform init -backend=false` + `terraform validate`), with the real provider schemas.
 */
import { App } from 'cdktf';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { addEnvironmentStacks, stackName } from '../constructs/app';
import { EnvironmentConfig } from '../constructs/config';
import { overridesFromEnv, selectEnvironments } from '../constructs/environments';
import { firstError, prepareTerraform, RunResult, runHarness, seconds, terraform, TerraformSetup, WORK_DIR } from './terraform';

/** Syntactically valid, never pulled: validation only needs the task definition to reference an image. */
export const FAKE_IMAGE_URI = '123456789012.dkr.ecr.us-east-1.amazonaws.com/host-name:validate';
const DOCKER_PROVIDER = 'kreuzwerker/docker';
const OUT_DIR = join(WORK_DIR, 'validate');

interface Target {
  readonly config: EnvironmentConfig;
  /** Which image source is validated, and why. */
  readonly source: string;
}

/** Each environment as configured, unless it builds its image and the docker provider can't be installed here. */
function targets(setup: TerraformSetup): Target[] {
  const overrides = overridesFromEnv(process.env);
  return selectEnvironments([], overrides).map((config) => {
    if (config.image.uri) return { config, source: 'image from a URI (as configured)' };
    if (setup.canInstall(DOCKER_PROVIDER)) return { config, source: 'image built from workload/ (docker provider)' };
    return {
      config: selectEnvironments([config.name], { ...overrides, imageUri: FAKE_IMAGE_URI })[0],
      source:
        `a fake image URI instead of the build source: ${DOCKER_PROVIDER} is not in the mirror ` +
        `${setup.mirror} (with a mirror, the registry is not relied on)`,
    };
  });
}

async function main(): Promise<number> {
  const start = performance.now();
  const setup = await prepareTerraform();
  console.log(`terraform ${setup.version}; ${setup.description}`);

  const chosen = targets(setup);
  rmSync(OUT_DIR, { recursive: true, force: true });
  const app = new App({ outdir: OUT_DIR });
  chosen.forEach((t) => addEnvironmentStacks(app, [t.config]));
  app.synth();

  const dirs = chosen.map((t) => join(OUT_DIR, 'stacks', stackName(t.config.name)));
  // Init one stack at a time: the shared plugin cache is not safe for concurrent installs.
  const inits: RunResult[] = [];
  for (const dir of dirs) inits.push(await terraform(setup, dir, ['init', '-backend=false', '-input=false', '-no-color']));
  const validations = await Promise.all(
    dirs.map((dir, i) => (inits[i].code === 0 ? terraform(setup, dir, ['validate', '-no-color']) : undefined)),
  );

  let failed = 0;
  chosen.forEach((t, i) => {
    const name = stackName(t.config.name);
    const init = inits[i];
    const validation = validations[i];
    let problem: string | undefined;
    if (init.code !== 0) problem = `terraform init: ${firstError(init.output)}`;
    else if (validation!.code !== 0) problem = `terraform validate: ${firstError(validation!.output)}`;
    if (problem) failed++;
    console.log(`${problem ? 'FAIL' : 'PASS'} ${name} with ${t.source}${problem ? `\n     ${problem}` : ''}`);
  });
  console.log(`validate took ${seconds(start)}`);
  console.log(`${chosen.length - failed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

runHarness(main);
