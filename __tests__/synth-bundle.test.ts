import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { DEFAULT_ENVIRONMENTS, ENVIRONMENTS } from '../src/environments';
import { selectEnvironments } from '../src/environment/select';
import { environmentStackName } from '../src/shared/names';

// `npm run synth` (tools/synth/run.js) runs a cached bundle of main.ts: a changed source must never run stale.
// In a copy of the app, so its cache and its edits stay out of the working tree.
const REPO_ROOT = resolve(__dirname, '..');
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/host-name:1.0.0';
// Whatever src/environments.ts holds: one environment to synthesize, and the image directories the copy needs.
const ENVIRONMENT = DEFAULT_ENVIRONMENTS[0] ?? Object.keys(ENVIRONMENTS)[0];
const BUILT = selectEnvironments(Object.keys(ENVIRONMENTS)).flatMap((c) =>
  c.services.flatMap((s) => (s.image.kind === 'build' ? [{ service: s.name, directory: relative(REPO_ROOT, s.image.directory) }] : [])),
);

describe('npm run synth: the prebuilt bundle', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'host-name-bundle-'));
    // Each built service's Dockerfile: the registry stack validates the environments as configured (built from a directory).
    const dockerfiles = BUILT.map((b) => join(b.directory, 'Dockerfile'));
    for (const path of ['main.ts', 'src', 'tools/synth', 'tsconfig.json', 'package.json', ...new Set(dockerfiles)]) {
      cpSync(join(REPO_ROOT, path), join(root, path), { recursive: true });
    }
    // The packages, linked one by one: the copy's node_modules/.cache is its own.
    mkdirSync(join(root, 'node_modules'));
    for (const name of readdirSync(join(REPO_ROOT, 'node_modules'))) {
      if (name !== '.cache') symlinkSync(join(REPO_ROOT, 'node_modules', name), join(root, 'node_modules', name));
    }
    const main = readFileSync(join(root, 'main.ts'), 'utf8');
    writeFileSync(join(root, 'main.ts'), `import './src/zz-probe';\n${main}`);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const record = () => join(root, 'node_modules', '.cache', 'host-name-synth', 'record.json');
  function synth(probe: string) {
    writeFileSync(join(root, 'src', 'zz-probe.ts'), `process.stdout.write('${probe}\\n');\n`);
    const out = join(root, 'out');
    rmSync(out, { recursive: true, force: true });
    const run = spawnSync(process.execPath, [join(root, 'tools', 'synth', 'run.js'), ENVIRONMENT], {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        HOST_NAME_ENVS: '',
        HOST_NAME_STATE_BUCKET: '',
        HOST_NAME_IMAGES: JSON.stringify(Object.fromEntries(BUILT.map((b) => [b.service, IMAGE]))),
        CDKTF_OUTDIR: out,
      },
    });
    return {
      status: run.status,
      // The probe's line comes first; synth's report of what it wrote follows.
      stdout: run.stdout.split('\n')[0],
      stderr: run.stderr,
      wrote: existsSync(join(out, 'stacks', environmentStackName(ENVIRONMENT), 'cdk.tf.json')),
    };
  }

  test('is built on first use, reused while nothing changed, rebuilt when a source changes', () => {
    expect(synth('probe-1')).toEqual({ status: 0, stdout: 'probe-1', stderr: '', wrote: true });
    const built = statSync(record()).mtimeMs;

    // The probe is written again with the same content: touched, not changed.
    expect(synth('probe-1')).toEqual({ status: 0, stdout: 'probe-1', stderr: '', wrote: true });
    expect(statSync(record()).mtimeMs).toBe(built);

    // Same length on purpose: V8 accepts a code cache for any source of the same length.
    expect(synth('probe-2')).toEqual({ status: 0, stdout: 'probe-2', stderr: '', wrote: true });
    expect(statSync(record()).mtimeMs).not.toBe(built);
  }, 60_000);
});
