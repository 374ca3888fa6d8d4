/** npm run export (tools/export): plain Terraform root modules, one config file each, no absolute path. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { selectEnvironments } from '../src/environment/select';
import { ENVIRONMENTS } from '../src/environments';
import { environmentStackName, REGISTRY_STACK_NAME, STATE_STACK_NAME } from '../src/shared/names';
import { parseArgs, selection } from '../tools/export/cli';
import { absolutePaths, CONFIG_FILE, ExportError, Json, relativize } from '../tools/export/export';
import { UNKNOWN_ENVIRONMENT } from './support/fixtures';

const ROOT = resolve(__dirname, '..');
const known = Object.keys(ENVIRONMENTS);
/** An environment that builds an image from a directory (the docker provider's build context), if any, and those directories. */
const configs = selectEnvironments(known);
const builderConfig = configs.find((c) => c.services.some((s) => s.image.kind === 'build')) ?? configs[0];
const builder = builderConfig.name;
const buildDirectories = builderConfig.services.flatMap((s) => (s.image.kind === 'build' ? [s.image.directory] : []));

/** A stack as cdktf synthesizes it from a checkout at /home/me/app. */
const synthesized = (): Json => ({
  terraform: { backend: { local: { path: '/home/me/app/terraform.host-name-dev.tfstate' } } },
  resource: {
    docker_image: { img: { build: { context: '/home/me/app/workload', dockerfile: 'Dockerfile' }, name: 'x' } },
    aws_lb_target_group: { tg: { health_check: [{ path: '/actuator/health/readiness' }] } },
    aws_cloudwatch_log_group: { logs: { name: '/ecs/host-name-dev/host-name' } },
  },
});

describe('relativize and absolutePaths', () => {
  test('the backend path and the build context become relative to the export directory; nothing else changes', () => {
    const json = relativize(synthesized(), '/home/me/app/export/host-name-dev') as any;
    expect(json.terraform.backend.local.path).toBe('../../terraform.host-name-dev.tfstate');
    expect(json.resource.docker_image.img.build).toEqual({ context: '../../workload', dockerfile: 'Dockerfile' });
    expect(json.resource.aws_lb_target_group.tg.health_check[0].path).toBe('/actuator/health/readiness');
    expect(json.resource.aws_cloudwatch_log_group.logs.name).toBe('/ecs/host-name-dev/host-name');
    expect(absolutePaths(json, ['/home/me/app'])).toEqual([]);
  });

  test('an absolute path is detected: at a path field anywhere, or the checkout anywhere in a string', () => {
    expect(absolutePaths(synthesized(), ['/elsewhere'])).toEqual([
      'terraform.backend.local.path = "/home/me/app/terraform.host-name-dev.tfstate"',
      'resource.docker_image.img.build.context = "/home/me/app/workload"',
    ]);
    const embedded: Json = { resource: { aws_s3_object: { o: { source: '${filebase64("/home/me/app/files/x")}' } } } };
    expect(absolutePaths(embedded, ['/home/me/app'])).toEqual([
      'resource.aws_s3_object.o.source = "${filebase64(\\"/home/me/app/files/x\\")}"',
    ]);
    // A relative path from outside the checkout passes through its directories; it is still relative.
    expect(absolutePaths({ terraform: { backend: { local: { path: '../../../home/me/app/x.tfstate' } } } }, ['/home/me/app'])).toEqual([]);
    // URL paths and log group names are not filesystem paths.
    expect(absolutePaths(relativize(synthesized(), '/home/me/app/export/x'), ['/home/me/app'])).toEqual([]);
  });
});

describe('arguments', () => {
  test('names: either name of an environment, other stacks by theirs; none: every stack synth writes', () => {
    expect(selection([environmentStackName(builder), REGISTRY_STACK_NAME], {})).toEqual({
      environments: [builder],
      stacks: [environmentStackName(builder), REGISTRY_STACK_NAME],
    });
    const all = selection([], {});
    expect(all.stacks).toEqual([...all.environments.map(environmentStackName), REGISTRY_STACK_NAME]);
    expect(selection([], { HOST_NAME_STATE_BUCKET: 'my-state' }).stacks).toContain(STATE_STACK_NAME);
  });

  test('bad options: one clear error', () => {
    expect(() => parseArgs(['--out'])).toThrow(ExportError);
    expect(() => parseArgs(['--out'])).toThrow(/^--out needs a directory; usage: npm run export -- /);
    expect(() => parseArgs(['--hcl'])).toThrow(/^unknown option --hcl; usage: npm run export -- /);
    expect(parseArgs(['dev', '--out=x'])).toEqual({ names: ['dev'], outDir: 'x', help: false });
  });
});

describe('the command', () => {
  let out: string;
  beforeEach(() => (out = mkdtempSync(join(tmpdir(), 'host-name-export-'))));
  afterEach(() => rmSync(out, { recursive: true, force: true }));

  function exportCli(args: string[], env: Record<string, string> = {}) {
    const inherited = Object.entries(process.env).filter(([k]) => !k.startsWith('HOST_NAME_') && k !== 'CDKTF_OUTDIR');
    return spawnSync(process.execPath, ['--require', 'tsx/cjs', 'tools/export/cli.ts', ...args, '--out', out], {
      cwd: ROOT,
      env: { ...Object.fromEntries(inherited), ...env },
      encoding: 'utf8',
    });
  }
  const read = (stack: string) => JSON.parse(readFileSync(join(out, stack, CONFIG_FILE), 'utf8'));

  test('one main.tf.json per stack, no absolute path; state and build context resolve from the directory to the checkout', () => {
    const r = exportCli([builder, REGISTRY_STACK_NAME]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const stacks = [environmentStackName(builder), REGISTRY_STACK_NAME];
    expect(readdirSync(out).sort()).toEqual([...stacks].sort());
    for (const stack of stacks) {
      const dir = join(out, stack);
      expect(readdirSync(dir)).toEqual([CONFIG_FILE]);
      const json = read(stack);
      expect(absolutePaths(json, [ROOT])).toEqual([]);
      expect(resolve(dir, json.terraform.backend.local.path)).toBe(join(ROOT, `terraform.${stack}.tfstate`));
      expect(r.stdout).toContain(`export: ${join(dir, CONFIG_FILE)} (local state ${json.terraform.backend.local.path}`);
    }
    const images = Object.values<any>(read(environmentStackName(builder)).resource.docker_image ?? {});
    for (const image of images) expect(image.build.context.startsWith('/')).toBe(false);
    const contexts = images.map((image) => resolve(join(out, environmentStackName(builder)), image.build.context));
    expect(contexts.sort()).toEqual([...buildDirectories].sort());
  }, 60_000);

  test('the S3 backend stays as configured; the state stack keeps its local state, relative', () => {
    const r = exportCli([builder, STATE_STACK_NAME], { HOST_NAME_STATE_BUCKET: 'my-state', HOST_NAME_STATE_REGION: 'eu-west-1' });
    expect(r.stderr).toBe('');
    expect(read(environmentStackName(builder)).terraform.backend).toEqual({
      s3: { bucket: 'my-state', key: `host-name/${builder}.tfstate`, region: 'eu-west-1', encrypt: true, use_lockfile: true },
    });
    const state = read(STATE_STACK_NAME);
    expect(resolve(join(out, STATE_STACK_NAME), state.terraform.backend.local.path)).toBe(
      join(ROOT, `terraform.${STATE_STACK_NAME}.tfstate`),
    );
  }, 60_000);

  test('bad input: one line, exit 2, nothing written', () => {
    const unknown = exportCli([UNKNOWN_ENVIRONMENT]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(
      new RegExp(
        `^error: environment "${UNKNOWN_ENVIRONMENT}": name = "${UNKNOWN_ENVIRONMENT}" is not allowed; expected an environment or a stack: one of [^\\n]*\\n$`,
      ),
    );
    expect(readdirSync(out)).toEqual([]);

    // A directory terraform would read another configuration file from.
    mkdirSync(join(out, REGISTRY_STACK_NAME));
    writeFileSync(join(out, REGISTRY_STACK_NAME, 'cdk.tf'), '');
    const crowded = exportCli([REGISTRY_STACK_NAME]);
    expect(crowded.status).toBe(2);
    expect(crowded.stderr).toBe(
      `error: ${join(out, REGISTRY_STACK_NAME)} holds cdk.tf: terraform would load them beside the export's ${CONFIG_FILE}; move them away or export with --out <another dir>\n`,
    );
    expect(existsSync(join(out, REGISTRY_STACK_NAME, CONFIG_FILE))).toBe(false);
  }, 60_000);
});
