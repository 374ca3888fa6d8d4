import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs, run, USAGE } from '../../tools/cost/cli';
import { CostError } from '../../tools/cost/estimate';
import { ENVIRONMENTS } from '../../src/environments';
import { environmentStackName, REGISTRY_STACK_NAME } from '../../src/shared/names';
import { UNKNOWN_ENVIRONMENT } from '../support/fixtures';

const ROOT = resolve(__dirname, '..', '..');

/** A cdktf.out-like directory holding the given stacks. */
function synthDir(stacks: Record<string, object>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cost-'));
  for (const [name, json] of Object.entries(stacks)) {
    mkdirSync(join(dir, 'stacks', name), { recursive: true });
    writeFileSync(join(dir, 'stacks', name, 'cdk.tf.json'), JSON.stringify(json));
  }
  dirs.push(dir);
  return dir;
}
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const provider = (region = 'us-east-1') => ({ aws: [{ region }] });
/** An internet-facing ALB in two subnets: 16.425 + 5.84 + 7.30 = $29.565 a month. */
const alb = { aws_lb: { alb: { subnets: ['a', 'b'] } } };

function output(argv: string[]): string {
  let text = '';
  run(argv, (t) => (text += t));
  return text;
}

const known = Object.keys(ENVIRONMENTS);
const [first] = known;

/** Runs `body` as if `npm run synth` wrote to `dir` (CDKTF_OUTDIR). */
function withSynthDir(dir: string, body: () => void): void {
  const saved = process.env.CDKTF_OUTDIR;
  process.env.CDKTF_OUTDIR = dir;
  try {
    body();
  } finally {
    if (saved === undefined) delete process.env.CDKTF_OUTDIR;
    else process.env.CDKTF_OUTDIR = saved;
  }
}

describe('npm run cost', () => {
  test("an environment's name means its stack", () => {
    const dir = synthDir({ [environmentStackName(first)]: { provider: provider(), resource: alb } });
    expect(output([first, '--dir', dir])).toBe(output([environmentStackName(first), '--dir', dir]));
    expect(output([first, '--dir', dir])).toContain(`${environmentStackName(first)}: us-east-1`);
  });

  test('prints a table per stack with every line explained and the totals at min and max', () => {
    const dir = synthDir({ web: { provider: provider(), resource: alb } });
    const text = output(['--dir', dir]);
    expect(text).toContain('web: us-east-1 (US East (N. Virginia)), list prices of 2026-12-01, 730 h/month');
    expect(text).toMatch(/aws_lb +Application Load Balancer +1 load balancer × 730 h × \$0\.0225\/h +\$16\.43 +\$16\.43/);
    expect(text).toMatch(/^total +\$29\.57 +\$29\.57$/m); // 29.565
  });

  test('--markdown renders a GitHub table', () => {
    const dir = synthDir({ web: { provider: provider(), resource: alb } });
    const text = output(['web', '--dir', dir, '--markdown']);
    expect(text).toContain('### web: $29.57/month at minimum size, $29.57 at maximum');
    expect(text).toContain('| `aws_lb` | Application Load Balancer | 1 load balancer × 730 h × $0.0225/h | $16.43 | $16.43 |');
  });

  test('--compare prints the per-stack and per-line monthly difference, new and removed stacks included', () => {
    const base = synthDir({
      web: { provider: provider(), resource: alb },
      old: { provider: provider(), resource: { aws_eip: { ip: {} } } },
    });
    const head = synthDir({
      web: { provider: provider(), resource: { ...alb, aws_eip: { ip: {}, ip2: {} } } },
      new: { provider: provider(), resource: { aws_kms_key: { k: {} } } },
    });
    const text = output(['--dir', head, '--compare', base]);
    expect(text).toContain('web: min $29.57 -> $36.87 (+$7.30), max $29.57 -> $36.87 (+$7.30)'); // 2 EIPs x $3.65
    expect(text).toContain('  aws_eip  public IPv4 address (Elastic IP): min +$7.30, max +$7.30');
    expect(text).toContain('new (new stack): min $0.00 -> $1.03 (+$1.03)'); // key $1 + requests $0.03
    expect(text).toContain('old (stack removed): min $3.65 -> $0.00 (-$3.65)');

    const md = output(['--dir', head, '--compare', base, '--markdown']);
    expect(md).toContain('| web | $29.57 | $36.87 | **+$7.30** | $29.57 | $36.87 | **+$7.30** |');
    expect(md).toContain('| web | `aws_eip` | public IPv4 address (Elastic IP) | $0.00 -> $7.30 | +$7.30 | $0.00 -> $7.30 | +$7.30 |');
    // The run summary leads with the difference, then the tables.
    expect(md.indexOf('### Cost difference')).toBeLessThan(md.indexOf('### web:'));
    expect(text.indexOf('monthly difference')).toBeGreaterThan(text.indexOf('web: us-east-1'));
  });

  test('--spot-discount changes the Spot lines and says so; other lines stay', () => {
    const spot = {
      aws_launch_template: { lt: { instance_type: 't3.small' } },
      aws_autoscaling_group: {
        spot: {
          min_size: 1,
          max_size: 1,
          mixed_instances_policy: {
            instances_distribution: { on_demand_base_capacity: 0, on_demand_percentage_above_base_capacity: 0 },
            launch_template: { launch_template_specification: { launch_template_id: '${aws_launch_template.lt.id}' } },
          },
        },
      },
    };
    const dir = synthDir({ web: { provider: provider(), resource: { ...alb, ...spot } } });
    const assumed = output(['web', '--dir', dir]);
    expect(assumed).toMatch(/EC2 t3\.small Spot \[1\] +1 instance × 730 h × 0\.4 of on-demand \(Spot, assumed\) × \$0\.0208\/h +\$6\.07/);
    expect(assumed).toContain('[1] EC2 Spot: an assumed 60% below the on-demand rate (--spot-discount changes it)');
    const at75 = output(['web', '--dir', dir, '--spot-discount', '75']);
    expect(at75).toMatch(/× 0\.25 of on-demand \(Spot, assumed\) × \$0\.0208\/h +\$3\.80/); // 730 x 0.0208 x 0.25
    expect(at75).toContain('[1] EC2 Spot: an assumed 75% below the on-demand rate (--spot-discount changes it)');
    expect(at75).toMatch(/aws_lb +Application Load Balancer +1 load balancer × 730 h × \$0\.0225\/h +\$16\.43 +\$16\.43/);
    // --compare prices both sides at the same assumption: the same stack does not differ (29.565 + 3.796 + EBS 2.40).
    expect(output(['web', '--dir', dir, '--compare', dir, '--spot-discount', '75'])).toContain(
      'web: min $35.76 -> $35.76 ($0.00), max $35.76 -> $35.76 ($0.00)\n  no line changed',
    );
  });

  test('--compare of identical outputs says nothing changed', () => {
    const dir = synthDir({ web: { provider: provider(), resource: alb } });
    expect(output(['--dir', dir, '--compare', dir])).toContain(
      'web: min $29.57 -> $29.57 ($0.00), max $29.57 -> $29.57 ($0.00)\n  no line changed',
    );
  });
});

describe('bad input: one line, exit code 2', () => {
  const fails = (argv: string[]) => {
    try {
      output(argv);
    } catch (error) {
      expect(error).toBeInstanceOf(CostError);
      return (error as Error).message;
    }
    throw new Error('expected a CostError');
  };

  test('no synth output: the hint to run synth only where synth writes', () => {
    expect(fails(['--dir', '/nonexistent/cdktf.out'])).toBe('/nonexistent/cdktf.out: /nonexistent/cdktf.out/stacks not found');
    withSynthDir('/nonexistent/cdktf.out', () =>
      expect(fails(['--dir', '/nonexistent/cdktf.out'])).toBe(
        '/nonexistent/cdktf.out: /nonexistent/cdktf.out/stacks not found; run `npm run synth` first',
      ),
    );
  });

  test('a compare directory without synth output', () => {
    const dir = synthDir({ web: { provider: provider(), resource: alb } });
    expect(fails(['--dir', dir, '--compare', '/nonexistent/base'])).toBe('--compare /nonexistent/base: /nonexistent/base/stacks not found');
  });

  test('an unknown name: neither a stack there nor a name of the app', () => {
    const dir = synthDir({ web: { provider: provider(), resource: alb } });
    const name = environmentStackName(UNKNOWN_ENVIRONMENT);
    const message = fails([name, '--dir', dir]);
    expect(message.startsWith(`no stack "${name}" in ${dir}/stacks (have web), nor is it an environment or a stack: one of `)).toBe(true);
    for (const allowed of [...known, ...known.map(environmentStackName), REGISTRY_STACK_NAME]) expect(message).toContain(allowed);
  });

  test("an app's stack not synthesized: the synth that writes it, where synth writes", () => {
    const dir = synthDir({ web: { provider: provider(), resource: alb } });
    const missing = `no synthesized stack "${environmentStackName(first)}" in ${dir}/stacks (have web)`;
    expect(fails([first, '--dir', dir])).toBe(missing);
    withSynthDir(dir, () => {
      expect(fails([first, '--dir', dir])).toBe(`${missing}; run \`npm run synth -- ${first}\` first`);
      expect(fails([REGISTRY_STACK_NAME, '--dir', dir])).toBe(
        `no synthesized stack "${REGISTRY_STACK_NAME}" in ${dir}/stacks (have web); run \`npm run synth\` first`,
      );
    });
  });

  test('a stack in a region the table lacks', () => {
    const dir = synthDir({ tokyo: { provider: provider('ap-northeast-1'), resource: alb } });
    expect(fails(['--dir', dir])).toBe(
      'stack tokyo is in ap-northeast-1, which the price table (2026-12-01) does not cover; available: us-east-1, us-east-2, us-west-2, eu-west-1, eu-central-1 (add it to tools/cost/prices.ts)',
    );
  });

  test('broken JSON', () => {
    const dir = synthDir({});
    mkdirSync(join(dir, 'stacks', 'bad'), { recursive: true });
    writeFileSync(join(dir, 'stacks', 'bad', 'cdk.tf.json'), '{');
    expect(fails(['--dir', dir])).toMatch(/^.*bad\/cdk\.tf\.json: not valid JSON \(/);
  });

  test('options', () => {
    expect(() => parseArgs(['--frobnicate'])).toThrow(`unknown option --frobnicate; ${USAGE}`);
    expect(() => parseArgs(['--dir'])).toThrow(`--dir needs a directory; ${USAGE}`);
    expect(() => parseArgs(['--compare', '--markdown'])).toThrow(`--compare needs a directory; ${USAGE}`);
    for (const argv of [
      ['--readme', '--markdown'],
      ['--readme', 'host-name-dev'],
      ['--readme', '--dir', 'x'],
      ['--readme', '--spot-discount', '50'],
    ]) {
      expect(() => parseArgs(argv)).toThrow(
        `--readme prices the demo environments at the committed assumptions and takes no stack, --dir, --compare, --markdown or --spot-discount; ${USAGE}`,
      );
    }
    expect(parseArgs(['a', '--dir=x', '--compare=y', '--markdown', 'b'])).toEqual({
      stacks: ['a', 'b'],
      dir: 'x',
      compare: 'y',
      markdown: true,
      readme: false,
      help: false,
    });
  });

  test('--spot-discount: a percent from 0 to 90, else one line naming the flag, the range and the value', () => {
    expect(parseArgs(['--spot-discount', '70']).spotDiscount).toBe(70);
    expect(parseArgs(['--spot-discount=0']).spotDiscount).toBe(0);
    expect(parseArgs(['--spot-discount', '90']).spotDiscount).toBe(90);
    expect(parseArgs(['--spot-discount', '62.5']).spotDiscount).toBe(62.5);
    expect(parseArgs([]).spotDiscount).toBeUndefined();
    expect(() => parseArgs(['--spot-discount'])).toThrow(`--spot-discount needs a percent; ${USAGE}`);
    for (const bad of ['abc', '-5', '91', '100', '60%', '', '1e2', '0x10', ' 60']) {
      expect(() => parseArgs([`--spot-discount=${bad}`])).toThrow(
        `--spot-discount must be a percent from 0 to 90 (how much less than on-demand Spot is assumed to cost; AWS quotes up to 90%), got "${bad}"`,
      );
    }
  });

  test('the real command refuses a bad --spot-discount with one line and exit 2', () => {
    const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', 'tools/cost/cli.ts', '--spot-discount', '95'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'error: --spot-discount must be a percent from 0 to 90 (how much less than on-demand Spot is assumed to cost; AWS quotes up to 90%), got "95"\n',
    );
  });

  test('the real command prints one line on stderr, no stack trace, and exits 2', () => {
    const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', 'tools/cost/cli.ts', '--dir', '/nonexistent/cdktf.out'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('error: /nonexistent/cdktf.out: /nonexistent/cdktf.out/stacks not found\n');
  });
});
