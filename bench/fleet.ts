/**
 * npm run bench:fleet: synth, the policy suite and `npm run cost` on a generated environment of 3, 30
 * and 60 services (harness/fleet.ts), each a whole process, the sizes interleaved run by run so the
 * machine's drift falls on all of them; writes the "Services on one ALB" section of bench/RESULTS.md.
 * Nothing here asserts a time.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const ROOT = join(__dirname, '..');
const RESULTS = join(__dirname, 'RESULTS.md');
const SIZES = [3, 30, 60] as const;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const STEPS = ['synth', 'policy', 'cost'] as const;
type Step = (typeof STEPS)[number];

function timed(args: string[]): number {
  const start = performance.now();
  const run = spawnSync(TSX, args, { cwd: ROOT, encoding: 'utf8' });
  const seconds = (performance.now() - start) / 1000;
  if (run.status !== 0) throw new Error(`${args.join(' ')}: exit ${run.status}\n${run.stderr}`);
  return seconds;
}

function stepArgs(step: Step, size: number, dir: string): string[] {
  if (step === 'synth') return ['bench/fleet-synth.ts', 'synth', String(size), dir];
  if (step === 'policy') return ['bench/fleet-synth.ts', 'policy', dir];
  return ['tools/cost/cli.ts', '--dir', dir, 'host-name-fleet'];
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function main(): void {
  const work = mkdtempSync(join(tmpdir(), 'host-name-fleet-'));
  const times: Record<Step, Record<number, number[]>> = { synth: {}, policy: {}, cost: {} };
  try {
    // One warm-up of each, then RUNS rounds of every size in turn.
    for (let round = -1; round < RUNS; round++) {
      for (const size of SIZES) {
        const dir = join(work, String(size));
        for (const step of STEPS) {
          const seconds = timed(stepArgs(step, size, dir));
          if (round >= 0) (times[step][size] ??= []).push(seconds);
        }
      }
      process.stderr.write(`[bench:fleet] round ${round + 1}/${RUNS}\n`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const section = render(times);
  process.stdout.write(`${section}\n`);
  const results = readFileSync(RESULTS, 'utf8');
  const begin = results.indexOf(BEGIN);
  const end = results.indexOf(END);
  const updated =
    begin >= 0 && end > begin
      ? `${results.slice(0, begin)}${section}${results.slice(end + END.length)}`
      : `${results.trimEnd()}\n\n${section}\n`;
  writeFileSync(RESULTS, updated);
}

const BEGIN = '<!-- fleet:begin: written by npm run bench:fleet -->';
const END = '<!-- fleet:end -->';

function render(times: Record<Step, Record<number, number[]>>): string {
  const rows = STEPS.map((step) => {
    const m = Object.fromEntries(SIZES.map((n) => [n, median(times[step][n])]));
    // Pair by pair: each round's 60 against the same round's 3.
    const ratio = median(times[step][60].map((t, i) => t / times[step][3][i]));
    const perService = ((m[60] - m[3]) / (60 - 3)) * 1000;
    // Linear growth gives the same cost per service from 3 to 30 as from 30 to 60.
    const early = (m[30] - m[3]) / 27;
    const late = (m[60] - m[30]) / 30;
    const ms = (x: number) => (x * 1000).toFixed(0);
    // Flat when 60 services cost within a quarter of 3 (the machine's noise is about that); else linear
    // while the later half's cost per service is at most twice the earlier half's.
    const shape = m[60] <= m[3] * 1.25 ? 'flat' : late <= Math.max(early, 0) * 2 ? 'linear' : 'faster than linear';
    return `| ${step} | ${SIZES.map((n) => m[n].toFixed(2)).join(' | ')} | ${ratio.toFixed(2)} | ${perService.toFixed(0)} | ${ms(early)} / ${ms(late)} | ${shape} |`;
  });
  return [
    BEGIN,
    '## Services on one ALB',
    '',
    `A generated environment (harness/fleet.ts) of 3, 30 and 60 generic services, each step a whole process,`,
    `median of ${RUNS} interleaved rounds on ${process.arch}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.`,
    'Seconds; the ratio is 60 against 3 services, pair by pair in the same round.',
    '',
    '| step | 3 | 30 | 60 | 60/3 | ms per added service | ms per service, 3-30 / 30-60 | growth |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    END,
  ].join('\n');
}

main();
