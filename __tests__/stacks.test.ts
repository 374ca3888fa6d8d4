/** One mapping from the names a user types to stacks (src/environment/stacks.ts), and synth's report of what it wrote. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App, TerraformStack } from 'cdktf';
import { addEnvironmentStacks, addRegistryStack, addStateBootstrapStacks, registryEnvironments } from '../src/app';
import { ConfigError } from '../src/environment/resolve';
import { appStackNames, resolveEnvironmentName, resolveNames } from '../src/environment/stacks';
import { DEFAULT_ENVIRONMENTS, ENVIRONMENTS } from '../src/environments';
import { environmentStackName, REGISTRY_STACK_NAME, STATE_STACK_NAME } from '../src/shared/names';
import { UNKNOWN_ENVIRONMENT } from './support/fixtures';

// Whatever src/environments.ts holds: one environment or more, with or without a state bucket.
const known = Object.keys(ENVIRONMENTS);
const [first, second] = known;
const withSecond = second === undefined ? test.skip : test;
/** Whether the run building `names` has a state bucket stack (an environment's state.bucket). */
const hasState = (names: string[]) => resolveNames(names).configs.some((c) => c.state !== undefined);

describe('resolveNames: an environment by its name or its stack name, other stacks by theirs', () => {
  test.each(known)('%s and its stack name mean its stack', (env) => {
    expect(resolveNames([env]).stacks).toEqual([environmentStackName(env)]);
    expect(resolveNames([environmentStackName(env)])).toMatchObject({ stacks: [environmentStackName(env)], environments: [env] });
  });

  withSecond('the registry by its stack name; each stack once, in the order named', () => {
    const r = resolveNames([second, environmentStackName(first), REGISTRY_STACK_NAME, first]);
    expect(r.stacks).toEqual([environmentStackName(second), environmentStackName(first), REGISTRY_STACK_NAME]);
    expect(r.environments).toEqual([second, first]);
    expect(r.configs.map((c) => c.name)).toEqual([second, first]);
  });

  test('no environment named: the run builds the defaults, or what it builds anyway plus those named', () => {
    expect(resolveNames([REGISTRY_STACK_NAME]).configs.map((c) => c.name)).toEqual([...new Set(DEFAULT_ENVIRONMENTS)]);
    if (second !== undefined) expect(resolveNames([second], {}, [first]).configs.map((c) => c.name)).toEqual([first, second]);
  });

  test('an unknown name: a ConfigError naming it and every allowed name', () => {
    let error: unknown;
    try {
      resolveNames([first, UNKNOWN_ENVIRONMENT]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(
      new RegExp(
        `^environment "${UNKNOWN_ENVIRONMENT}": name = "${UNKNOWN_ENVIRONMENT}" is not allowed; expected an environment or a stack: one of `,
      ),
    );
    for (const name of [...known, ...known.map(environmentStackName), REGISTRY_STACK_NAME]) expect(message).toContain(name);
    if (!hasState([first])) expect(message).not.toContain(STATE_STACK_NAME);
  });

  test('the state stack exists with a bucket; without one, its name says what makes it', () => {
    // Only when no default environment sets state.bucket itself.
    if (!hasState([])) {
      expect(() => resolveNames([STATE_STACK_NAME])).toThrow(
        /host-name-state exists when HOST_NAME_STATE_BUCKET or an environment's state.bucket is set/,
      );
    }
    expect(resolveNames([STATE_STACK_NAME], { stateBucket: 'my-state' }).stacks).toEqual([STATE_STACK_NAME]);
  });

  test.each([{}, { stateBucket: 'my-state' }])('appStackNames lists the stacks main.ts composes (%j)', (overrides) => {
    const { configs } = resolveNames(known, overrides);
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'stacks-')) });
    addEnvironmentStacks(app, configs);
    addStateBootstrapStacks(app, configs);
    addRegistryStack(app, registryEnvironments());
    const ids = app.node.children.filter((c) => c instanceof TerraformStack).map((s) => s.node.id);
    expect(appStackNames(configs)).toEqual(ids);
    rmSync(app.outdir, { recursive: true, force: true });
  });

  test('commands on one environment take either name, and refuse other stacks', () => {
    expect(resolveEnvironmentName(environmentStackName(first))).toBe(first);
    expect(resolveEnvironmentName(first)).toBe(first);
    expect(() => resolveEnvironmentName(REGISTRY_STACK_NAME)).toThrow(
      `environment "${REGISTRY_STACK_NAME}": name = "${REGISTRY_STACK_NAME}" is not allowed; expected an environment: one of ${[...known, ...known.map(environmentStackName)].join(', ')}`,
    );
  });
});

describe('npm run synth: what it wrote, and no stack left from an earlier run', () => {
  const root = resolve(__dirname, '..');
  let cwd: string;
  beforeAll(() => (cwd = mkdtempSync(join(tmpdir(), 'host-name-synth-'))));
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  function synth(args: string[], env: Record<string, string> = {}) {
    const inherited = Object.entries(process.env).filter(([k]) => !k.startsWith('HOST_NAME_') && k !== 'CDKTF_OUTDIR');
    return spawnSync(process.execPath, [join(root, 'tools', 'synth', 'run.js'), ...args], {
      cwd,
      env: { ...Object.fromEntries(inherited), CDKTF_OUTDIR: join(cwd, 'out'), ...env },
      encoding: 'utf8',
    });
  }
  const stacksIn = () => readdirSync(join(cwd, 'out', 'stacks')).sort();

  test('a narrower run removes the stacks it no longer writes and says so', () => {
    const all = synth([], { HOST_NAME_ENVS: known.join(',') });
    expect(all.stderr).toBe('');
    expect(all.stdout).toBe(`synth: wrote ${appStackNames(resolveNames(known).configs).join(', ')} to out/stacks/<stack>/cdk.tf.json\n`);

    const one = synth([environmentStackName(first)]);
    expect(one.status).toBe(0);
    const wrote = appStackNames(resolveNames([first]).configs);
    const others = appStackNames(resolveNames(known).configs)
      .filter((s) => !wrote.includes(s))
      .sort();
    expect(one.stdout).toBe(
      `synth: wrote ${wrote.join(', ')} to out/stacks/<stack>/cdk.tf.json\n` +
        (others.length > 0 ? `synth: removed ${others.join(', ')} from out/stacks (not written by this run)\n` : ''),
    );
    expect(stacksIn()).toEqual([...wrote].sort());
  }, 60_000);
});
