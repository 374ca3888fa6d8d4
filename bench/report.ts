// Turns the raw measurements bench/run.sh left in WORK_DIR into the markdown of bench/RESULTS.md (stdout).
//   node_modules/.bin/tsx bench/report.ts WORK_DIR [PREVIOUS_RESULTS]
// Sections other commands write (between `<!-- name:begin ... -->` and `<!-- name:end -->`) are carried over from PREVIOUS_RESULTS.
// Every figure is a median over the runs; every ratio is between two medians of the same run.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENVIRONMENTS } from '../src/environments';
import { HOST_NAME_SERVICE, selectEnvironments } from '../src/environment/select';
import { INSTANCE_TYPES, tasksPerInstance } from '../src/compute/instance-types';

const work = process.argv[2];
if (!work || !existsSync(join(work, 'meta.txt'))) {
  console.error('usage: tsx bench/report.ts WORK_DIR (the directory bench/run.sh measured into)');
  process.exit(2);
}

// ------------------------------------------------------------------------------------- reading
const text = (file: string): string => (existsSync(join(work, file)) ? readFileSync(join(work, file), 'utf8') : '');
const numbers = (file: string): number[] =>
  text(file)
    .split(/\s+/)
    .filter((s) => s !== '')
    .map(Number);
const meta: Record<string, string> = Object.fromEntries(
  text('meta.txt')
    .split('\n')
    .filter((l) => l.includes('='))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
);

function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

interface Timing {
  median: number;
  min: number;
  max: number;
  runs: number;
  failed: number;
}
/** Wall times (s) of each named command in a hyperfine --export-json file. */
function hyperfine(file: string): Record<string, Timing> {
  if (!text(file)) return {};
  const results = JSON.parse(text(file)).results as { command: string; times: number[]; exit_codes?: number[] }[];
  return Object.fromEntries(
    results.map((r) => [
      r.command,
      {
        median: median(r.times),
        min: Math.min(...r.times),
        max: Math.max(...r.times),
        runs: r.times.length,
        failed: (r.exit_codes ?? []).filter((c) => c !== 0).length,
      },
    ]),
  );
}

interface Wrk {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  requests: number;
}
/** requests/s, latency percentiles (ms) and error count from `wrk --latency` output. */
function wrk(file: string): Wrk | undefined {
  const out = text(file);
  if (!out) return undefined;
  const ms = (value: string, unit: string) => Number(value) * ({ us: 0.001, ms: 1, s: 1000, m: 60000 } as Record<string, number>)[unit];
  const latency = (p: string) => {
    const m = out.match(new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm'));
    return m ? ms(m[1], m[2]) : NaN;
  };
  const socket = out.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  const non2xx = Number(out.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0);
  return {
    rps: Number(out.match(/Requests\/sec:\s+([\d.]+)/)?.[1]),
    p50: latency('50'),
    p99: latency('99'),
    errors:
      non2xx +
      (socket
        ? socket
            .slice(1)
            .map(Number)
            .reduce((a, b) => a + b, 0)
        : 0),
    requests: Number(out.match(/(\d+) requests in/)?.[1]),
  };
}

/** VmRSS / VmHWM (KiB) from a load.mem file. */
function memory(file: string): Record<string, number> {
  return Object.fromEntries(
    text(file)
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => [l.split(' ')[0], Number(l.split(' ')[1])]),
  );
}

interface Load {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  cores: number;
  perCpuSecond: number;
  rss: number;
  hwm: number;
  runs: number;
}
/**
 * Medians over the load runs of one workload directory: load-N.{wrk,cpu} (c=64) or, with `seed`, load-N.c300.{wrk,cpu}
 * (the seed's wrk -t4 -c300, run after the c=64 one in the same JVM); load-N.mem holds the memory after both.
 */
function load(name: string, seed = false): Load | undefined {
  const dir = join(work, 'workload', name);
  const runs = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => /^load-\d+\.wrk$/.test(f))
        .map((f) => `workload/${name}/${f.slice(0, -4)}`)
    : [];
  const at = (prefix: string) => (seed ? `${prefix}.c300` : prefix);
  const each = runs
    .filter((prefix) => text(`${at(prefix)}.wrk`))
    .map((prefix) => ({ w: wrk(`${at(prefix)}.wrk`)!, cpu: Number(text(`${at(prefix)}.cpu`)), mem: memory(`${prefix}.mem`) }));
  if (each.length === 0) return undefined;
  const m = (f: (e: (typeof each)[number]) => number) => median(each.map(f));
  return {
    rps: m((e) => e.w.rps),
    p50: m((e) => e.w.p50),
    p99: m((e) => e.w.p99),
    errors: m((e) => e.w.errors),
    cores: m((e) => e.cpu / 15),
    perCpuSecond: m((e) => e.w.requests / e.cpu),
    rss: m((e) => e.mem.VmRSS),
    hwm: m((e) => e.mem.VmHWM),
    runs: each.length,
  };
}

interface JestRun {
  total: number;
  passed: number;
  failed: number;
  suites: number;
  slowest: string[];
}
function jestRun(file: string): JestRun | undefined {
  if (!text(file)) return undefined;
  const j = JSON.parse(text(file));
  const suites = (j.testResults as { name: string; startTime: number; endTime: number }[])
    .map((s) => ({ name: s.name.replace(/^.*__tests__\//, ''), seconds: (s.endTime - s.startTime) / 1000 }))
    .sort((a, b) => b.seconds - a.seconds);
  return {
    total: j.numTotalTests,
    passed: j.numPassedTests,
    failed: j.numFailedTests,
    suites: j.numTotalTestSuites,
    slowest: suites.slice(0, 3).map((s) => `${s.name} ${s.seconds.toFixed(1)} s`),
  };
}

// ------------------------------------------------------------------------------------- formatting
const s = (seconds: number) => (Number.isFinite(seconds) ? `${seconds.toFixed(2)} s` : 'n/a');
const mib = (kib: number) => (Number.isFinite(kib) ? `${Math.round(kib / 1024)} MiB` : 'n/a');
const ms = (v: number) => (Number.isFinite(v) ? (v < 10 ? `${v.toFixed(2)} ms` : `${Math.round(v)} ms`) : 'n/a');
const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : 'n/a');
const pct = (a: number, b: number) => (Number.isFinite(a / b) ? `${Math.round((100 * a) / b)}%` : 'n/a');
/** " (+12%)" against a baseline; nothing for the baseline itself. */
function delta(v: number, base: number): string {
  const p = Math.round((100 * (v - base)) / base);
  if (!Number.isFinite(p) || v === base) return '';
  return ` (${p > 0 ? '+' : p < 0 ? '' : '±'}${p}%)`;
}
const range = (t?: Timing) => (t ? `${t.min.toFixed(2)}–${t.max.toFixed(2)} s` : 'n/a');
const table = (head: string[], rows: string[][]) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

const out: string[] = [];
const say = (...lines: string[]) => out.push(...lines);

// ------------------------------------------------------------------------------------- header
say(
  '# Benchmarks',
  '',
  (meta.tuning === '1'
    ? '`bash bench/run.sh --tuning`: sections 1–5 as `npm run bench` measures them, plus the Tuning section'
    : '`npm run bench` (`bash bench/run.sh`)') + `, on ${meta.date}, in ${Math.round(Number(meta.duration_s) / 60)} min.`,
  '',
  `Machine: ${meta.cores} cores (${meta.cpu_model}), ${(Number(meta.memory_mib) / 1024).toFixed(1)} GiB, Linux ${meta.kernel}; Node ${meta.node}; Java ${meta.java}. ` +
    `Load average ${meta.loadavg_start} at the start, ${meta.loadavg_end} at the end (the machine is shared, so absolute times move from run to run; ` +
    'each reference is measured in the same run, and the ratios are what to compare).',
  '',
  `Figures are medians: synth and start-up over ${meta.runs} runs each, the unit tests over ${meta.jest_runs}. Nothing here asserts a time.`,
);

// ------------------------------------------------------------------------------------- 1. synth
const synth = { ...hyperfine('synth.hf.json'), ...hyperfine('synth-cold.hf.json') };
const rss = (name: string) => ({ max: median(numbers(`${name}.max`)), tree: median(numbers(`${name}.tree`)) });
const synthOurs = rss('synth-ours');
const synthTranspiled = rss('synth-transpiled');
const synthTemplate = rss('synth-template');
const synthBefore = rss('synth-before');
const synthGoal = (t: Timing | undefined) => {
  const r = t && synth.template ? t.median / synth.template.median : NaN;
  return Number.isNaN(r) ? 'n/a' : `${r.toFixed(2)}× (goal ≤ 0.20×: ${r <= 0.2 ? 'met' : 'not met'})`;
};
say(
  '',
  '## 1. Synth (both environments: host-name-dev, host-name-prod)',
  '',
  table(
    ['command', 'median wall time', 'range', 'peak RSS, largest process', 'peak RSS, process tree'],
    [
      [
        `**ours**: \`${meta.synth_command}\` (what \`npm run synth\` runs: a prebuilt bundle with V8's code cache)`,
        s(synth.ours?.median),
        range(synth.ours),
        mib(synthOurs.max),
        mib(synthOurs.tree),
      ],
      ['ours through npm: `npm run synth`', s(synth['ours-npm']?.median), range(synth['ours-npm']), '', ''],
      [
        'ours, first run after a change (rebuilds the bundle and its code cache; 3 runs)',
        s(synth['ours-cold']?.median),
        range(synth['ours-cold']),
        '',
        '',
      ],
      [
        '**template**: `npx cdktf synth` (CLI, then the app)',
        s(synth.template?.median),
        range(synth.template),
        mib(synthTemplate.max),
        mib(synthTemplate.tree),
      ],
      [
        'template without npx: `node_modules/.bin/cdktf synth`',
        s(synth['template-no-npx']?.median),
        range(synth['template-no-npx']),
        '',
        '',
      ],
      [
        'transpiled at every start: `node --require tsx/cjs main.ts` (tsx transpiles the sources at every start)',
        s(synth.transpiled?.median),
        range(synth.transpiled),
        mib(synthTranspiled.max),
        mib(synthTranspiled.tree),
      ],
      [
        'the tsx CLI: `tsx main.ts` (the tsx CLI runs the app in a second node process)',
        s(synth.before?.median),
        range(synth.before),
        mib(synthBefore.max),
        mib(synthBefore.tree),
      ],
    ],
  ),
  '',
  `**Ours takes ${synthGoal(synth.ours)} the time of \`npx cdktf synth\`, through npm ${synthGoal(synth['ours-npm'])}; ` +
    `\`npx cdktf synth\` takes ${ratio(synth.template?.median, synth.ours?.median)} the time of ours and ${ratio(synthTemplate.tree, synthOurs.tree)} the memory (process tree); ` +
    `without npx ${ratio(synth['template-no-npx']?.median, synth.ours?.median)}.** Both synthesize the same app (cdktf.json's app is the same command), so the difference is the CLI. ` +
    `Output: ${meta.synth_identical === 'yes' ? "byte-identical to the transpiled sources' for every stack (compared in this run)" : meta.synth_identical === 'no' ? "**differs from the transpiled sources'** (compared in this run)" : 'not compared'}. ` +
    `Tuning, before → after: \`node --require tsx/cjs main.ts\` → \`${meta.synth_command}\` took ${ratio(synth.ours?.median, synth.transpiled?.median)} the time and ${ratio(synthOurs.tree, synthTranspiled.tree)} the memory; ` +
    `\`tsx main.ts\` → \`node --require tsx/cjs main.ts\` ${ratio(synth.transpiled?.median, synth.before?.median)} and ${ratio(synthTranspiled.tree, synthBefore.tree)}.`,
  '',
  'Time: hyperfine, one warm-up run, output directories outside the working tree. Memory, in separate runs: "largest process" is `/usr/bin/time -v` ' +
    '"Maximum resident set size", which for a command that spawns children is the peak of its largest single process, not their sum; ' +
    '"process tree" is the peak of the summed RSS of the command and all its descendants, sampled every 20 ms (bench/tree-rss.mjs). ' +
    'The cdktf CLI runs the app as a child process, so the tree figure is what the machine holds.',
);

// ------------------------------------------------------------------------------------- 2. unit tests
const jest = hyperfine('jest.hf.json');
const tsc = hyperfine('tsc.hf.json').tsc;
const jestOurs = rss('jest-ours');
const jestRef = rss('jest-ts-jest');
const oursRun = jestRun('jest-ours.json');
const refRun = jestRun('jest-ts-jest.json');
const counts = (r?: JestRun) => (r ? `${r.total} tests in ${r.suites} suites: ${r.passed} passed, ${r.failed} failed` : 'n/a');
const npmTest = (tsc?.median ?? NaN) + (jest.ours?.median ?? NaN);
say(
  '',
  '## 2. Unit tests',
  '',
  table(
    ['command', 'median wall time', 'range', 'peak RSS, largest process', 'peak RSS, process tree', 'tests'],
    [
      [
        '**ours**: `jest` (@swc/jest: strips types, no type-check)',
        s(jest.ours?.median),
        range(jest.ours),
        mib(jestOurs.max),
        mib(jestOurs.tree),
        counts(oursRun),
      ],
      ['`tsc --noEmit` (the type-check `npm test` runs first)', s(tsc?.median), tsc ? range(tsc) : 'n/a', '', '', ''],
      ['**ours in all**: `npm test` = tsc + jest (sum of the medians)', s(npmTest), '', '', '', ''],
      ...(jest['ts-jest']
        ? [
            [
              `**template**: \`jest\` with ts-jest ${meta.ts_jest} (type-checks each test file)`,
              s(jest['ts-jest'].median),
              range(jest['ts-jest']),
              mib(jestRef.max),
              mib(jestRef.tree),
              counts(refRun),
            ],
          ]
        : []),
    ],
  ),
  '',
  jest['ts-jest']
    ? `**ts-jest takes ${ratio(jest['ts-jest'].median, jest.ours?.median)} the time of our jest run, and ${ratio(jest['ts-jest'].median, npmTest)} the time of our whole \`npm test\` (which type-checks everything once with tsc).**`
    : 'ts-jest could not be installed on this run, so only our own figures are shown.',
  '',
  `Cold runs (\`jest --ci --no-cache\`): what CI and the first run after an edit see (with a warm cache ts-jest skips its type-check for unchanged files). ` +
    'The reference runs our suite and jest config with only the transform swapped, ts-jest installed in a temporary directory (package.json untouched). ' +
    `\`tsc --noEmit\` is incremental (tsconfig \`incremental\`), as in \`npm test\`. Slowest suites (ours, last run): ${oursRun?.slowest.join(', ') ?? 'n/a'}.`,
);
const failedRuns = (jest.ours?.failed ?? 0) + (jest['ts-jest']?.failed ?? 0);
if (failedRuns > 0)
  say('', `Note: ${failedRuns} of the jest runs exited non-zero (failing tests in the shared working tree); their times are included.`);

// ------------------------------------------------------------------------------------- 3. start-up
const wl = (name: string) => `workload/${name}`;
const starts = (name: string) => median(numbers(`${wl(name)}/start.ms`));
const startRss = (name: string) => median(numbers(`${wl(name)}/start.rss`));
/** Spring Boot's own "process running for" at start-up (ms): the JVM's part of the start. */
const startJvm = (name: string) => median(numbers(`${wl(name)}/start.jvm`));
const docker = meta.mode === 'docker';
say(
  '',
  '## 3. Workload start: process start to the first 200 on /host-name',
  '',
  `Same JVM (${meta.java}), same memory limit (${meta.memory_limit}), and the ${meta.task_env} task's \`JAVA_TOOL_OPTIONS\` from \`jvmOptions()\`: \`${meta.task_java_opts}\`. ` +
    (docker
      ? `Run as containers of the image ${meta.image} (\`docker run --network host --read-only --tmpfs /tmp -m ${meta.task_memory_mib}m\`); the clock starts at \`docker start\` (the container is created first: the vfs storage driver copies the image on create, which ECS on overlayfs does not).`
      : 'Run as JVM processes (no container engine, or no image from `npm run test:image` newer than workload/): the production layout is made here the way workload/Dockerfile makes it (layers extracted from the jar, then the AOT training run).'),
  '',
  table(
    ['start', 'median to first 200', 'range', 'of which the JVM (Spring Boot\'s "process running for")', 'RSS at first 200'],
    [
      [
        'plain `java -jar host-name.jar` (the Maven jar)',
        ms(starts('plain')),
        rangeMs('plain'),
        ms(startJvm('plain')),
        mib(startRss('plain')),
      ],
      [
        "**production**: extracted layers + AOT cache (the image's ENTRYPOINT)",
        ms(starts('aot')),
        rangeMs('aot'),
        ms(startJvm('aot')),
        mib(startRss('aot')),
      ],
    ],
  ),
  '',
  `**The production start takes ${ratio(starts('aot'), starts('plain'))} the time of the plain jar (${ms(starts('plain') - starts('aot'))} less).** ` +
    `The AOT cache ${meta.aot_cache_loads === 'yes' ? 'loads' : '**does not load**'} under the task's options (checked with \`-XX:AOTMode=on\`, which fails rather than starting without it). ` +
    `${meta.runs} starts of each, alternated, after one uncounted start of each; a start is polled with curl every 20 ms.`,
);
function rangeMs(name: string): string {
  const v = numbers(`${wl(name)}/start.ms`);
  return v.length ? `${Math.min(...v)}–${Math.max(...v)} ms` : 'n/a';
}

// ------------------------------------------------------------------------------------- 4. load
const ours = load('aot');
const nginx = load('nginx');
const ours300 = load('aot', true);
const nginx300 = load('nginx', true);
const body = text(`${wl('aot')}/body`);
const int = (v?: number) => (v !== undefined && Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : 'n/a');
/** The load columns shared by section 4 and the tuning table. */
const loadColumns = (l?: Load, base?: Load) => [
  int(l?.rps) + delta(l?.rps ?? NaN, base?.rps ?? NaN),
  ms(l?.p50 ?? NaN),
  ms(l?.p99 ?? NaN),
  l ? l.cores.toFixed(2) : 'n/a',
  int(l?.perCpuSecond) + delta(l?.perCpuSecond ?? NaN, base?.perCpuSecond ?? NaN),
];
say(
  '',
  "## 4. Workload under load: `wrk -t2 -c64 -d15s --latency` after a 10 s warm-up, then the seed's `wrk -t4 -c300 -d15s --latency` (after 5 s at c=300), on loopback",
  '',
  table(
    [
      'server',
      'load',
      'requests/s',
      'p50',
      'p99',
      'server CPU (cores busy)',
      'requests per CPU-second',
      'errors',
      'RSS afterwards',
      'peak RSS',
    ],
    [
      ['**ours** (production start)', 'c=64', ...loadColumns(ours), int(ours?.errors), '', ''],
      ['**ours** (production start)', 'c=300', ...loadColumns(ours300), int(ours300?.errors), mib(ours?.rss ?? NaN), mib(ours?.hwm ?? NaN)],
      [
        `nginx ${meta.nginx}, the same ${body.length}-byte JSON as a static file`,
        'c=64',
        ...loadColumns(nginx),
        int(nginx?.errors),
        '',
        '',
      ],
      [`nginx, the same file`, 'c=300', ...loadColumns(nginx300), int(nginx300?.errors), mib(nginx?.rss ?? NaN), ''],
    ],
  ),
  '',
  `**At c=64 ours serves ${pct(ours?.rps ?? NaN, nginx?.rps ?? NaN)} of nginx's requests/s, and ${pct(ours?.perCpuSecond ?? NaN, nginx?.perCpuSecond ?? NaN)} of its requests per CPU-second; ` +
    `at c=300 ${pct(ours300?.rps ?? NaN, nginx300?.rps ?? NaN)} and ${pct(ours300?.perCpuSecond ?? NaN, nginx300?.perCpuSecond ?? NaN)}.** ` +
    "(nginx: the machine's ceiling for this request). " +
    `The ${meta.cores} cores are shared by wrk (2 threads), the server and whatever else runs on the machine, so requests/s is not a server's capacity on its own cores; ` +
    'requests per CPU-second (requests served / CPU time the server used) depends much less on what else runs, and is what a task costs. ' +
    'nginx runs with its defaults (one worker per core, keep-alive 1000 requests per connection), the app as workload/ configures it. ' +
    "\"server CPU\" is the server's user+system CPU time during the 15 s divided by 15; peak RSS is the JVM's VmHWM since its start, read after the c=300 run: the peak under the seed's load.",
);

// ------------------------------------------------------------------------------------- 5. memory fit
const measuredMiB = Math.ceil((ours?.hwm ?? NaN) / 1024);
// The host-name app's task in each environment that runs it.
const configs = selectEnvironments(Object.keys(ENVIRONMENTS)).flatMap((c) => {
  const hostName = c.services.find((s) => s.name === HOST_NAME_SERVICE);
  return hostName ? [{ ...c, task: hostName.container }] : [];
});
say(
  '',
  '## 5. Memory fit: tasks per instance',
  '',
  `ECS places a task by its memory reservation; what it really holds is its RSS. Measured: peak RSS ${measuredMiB} MiB (section 4, under the seed's c=300 load, with the ${meta.task_env} task's JVM options). ` +
    'Both columns use `tasksPerInstance()` from src/compute/instance-types.ts (registered memory less `reservedMemoryMiB`, and the cpu units, whichever runs out first); ' +
    '"if reservation = RSS" keeps each task\'s cpu units and replaces its memory reservation with the measured peak RSS.',
  '',
  table(
    ['environment', 'instance type', 'task cpu / memory / reservation', 'agent reserve', 'tasks placed', 'if reservation = RSS'],
    configs.map((c) => {
      const spec = c.instanceSpec;
      return [
        c.name,
        c.instanceType,
        `${c.task.cpu} / ${c.task.memoryMiB} / ${c.task.memoryReservationMiB} MiB`,
        `${c.reservedMemoryMiB} MiB`,
        String(tasksPerInstance(spec, c.task, c.reservedMemoryMiB)),
        fit(spec, c.task.cpu, measuredMiB, c.reservedMemoryMiB),
      ];
    }),
  ),
  '',
  "Every supported instance type, for each environment's task size (its configured type in bold):",
  '',
  table(
    ['instance type', 'vCPU', 'registered MiB', ...configs.flatMap((c) => [`${c.name}: placed`, `${c.name}: if reservation = RSS`])],
    Object.entries(INSTANCE_TYPES).map(([type, spec]) => [
      configs.some((c) => c.instanceType === type) ? `**${type}**` : type,
      String(spec.vcpus),
      String(spec.registeredMemoryMiB),
      ...configs.flatMap((c) => [
        String(tasksPerInstance(spec, c.task, c.reservedMemoryMiB)),
        fit(spec, c.task.cpu, measuredMiB, c.reservedMemoryMiB),
      ]),
    ]),
  ),
  '',
  '"cpu-bound" means the cpu units, not memory, stop the next task. The RSS was measured with the measured task\'s heap limit (-Xmx); ' +
    'a task with a larger -Xmx (a larger memoryMiB) can grow its heap further, so for other task sizes the RSS column is a lower bound. Measured on x86_64; the arm64 types are assumed alike.',
);
function fit(spec: (typeof INSTANCE_TYPES)[string], cpu: number, memoryMiB: number, reservedMiB: number): string {
  const n = tasksPerInstance(spec, { cpu, memoryReservationMiB: memoryMiB }, reservedMiB);
  const byMemory = Math.floor((spec.registeredMemoryMiB - reservedMiB) / memoryMiB);
  return byMemory > n ? `${n} (cpu-bound; memory alone: ${byMemory})` : String(n);
}

// ------------------------------------------------------------------------------------- goals
const goal = (ok: boolean) => (ok ? 'reached' : '**not reached**');
const perCpu64 = (ours?.perCpuSecond ?? NaN) / (nginx?.perCpuSecond ?? NaN);
const perCpu300 = (ours300?.perCpuSecond ?? NaN) / (nginx300?.perCpuSecond ?? NaN);
const synthRatio = (synth.ours?.median ?? NaN) / (synth.template?.median ?? NaN);
say(
  '',
  '## Goals: goal and measured, this run',
  '',
  table(
    ['what', 'goal', 'measured', ''],
    [
      ['requests per CPU-second at c=64, against nginx', '≥ 35%', pct(perCpu64, 1), goal(perCpu64 >= 0.35)],
      ["requests per CPU-second at the seed's c=300, against nginx", '≥ 35%', pct(perCpu300, 1), goal(perCpu300 >= 0.35)],
      ['p99 at c=64', '≤ 20 ms', ms(ours?.p99 ?? NaN), goal((ours?.p99 ?? NaN) <= 20)],
      [
        `the JVM's peak RSS under c=300, ${meta.task_env} task's options`,
        '≤ 150 MiB',
        mib(ours?.hwm ?? NaN),
        goal((ours?.hwm ?? NaN) / 1024 <= 150),
      ],
      ['container start to the first 200 (median)', '≤ 1.0 s', ms(starts('aot')), goal(starts('aot') <= 1000)],
      [
        '`npm run synth` against `npx cdktf synth`',
        '≤ 0.2×',
        Number.isFinite(synthRatio) ? `${synthRatio.toFixed(2)}×` : 'n/a (not measured in this run)',
        Number.isFinite(synthRatio) ? goal(synthRatio <= 0.2) : '',
      ],
      ['`npm test` in all', '≤ 10 s', s(npmTest), Number.isFinite(npmTest) ? goal(npmTest <= 10) : ''],
    ],
  ),
  '',
  'Why a goal that is not reached stops where it does: bench/README.md.',
);

// ------------------------------------------------------------------------------------- tuning
const variants = existsSync(join(work, 'workload')) ? readdirSync(join(work, 'workload')).filter((d) => text(`${wl(d)}/description`)) : [];
if (variants.length > 0) {
  const first = ['baseline', 'before'].filter((v) => variants.includes(v));
  const order = [...first, ...variants.filter((v) => !first.includes(v))];
  const base = load('baseline');
  const base300 = load('baseline', true);
  say(
    '',
    '## Tuning: workload variants, measured in the same run',
    '',
    `Each variant is the production start (${docker ? 'the image' : 'layers + AOT cache'}) with the task's JAVA_TOOL_OPTIONS plus the options shown (later options win). ` +
      `Start: median of ${meta.runs} starts; load: median of ${base?.runs ?? 'n/a'} run(s) as in section 4, each in a fresh JVM. Starts and load runs are interleaved across the variants ` +
      "(one of each per round, every other round reversed), so the machine's noise spreads over all of them. Percentages are against the baseline; " +
      'a difference within a few tens of percent of requests/s can be noise on this shared machine: requests per CPU-second is the steadier figure.',
    '',
    table(
      [
        'variant',
        'added to JAVA_TOOL_OPTIONS',
        'start',
        'c=64: requests/s',
        'p50',
        'p99',
        'server CPU (cores)',
        'requests per CPU-second',
        'c=300: requests per CPU-second',
        'c=300: p99',
        'RSS afterwards',
        'peak RSS (c=300)',
      ],
      order.map((v) => {
        const l = load(v);
        const l300 = load(v, true);
        const opts = text(`${wl(v)}/opts`).trim();
        return [
          `${v}: ${text(`${wl(v)}/description`).trim()}`,
          opts ? `\`${opts}\`` : '',
          ms(starts(v)) + delta(starts(v), starts('baseline')),
          ...loadColumns(l, base),
          int(l300?.perCpuSecond) + delta(l300?.perCpuSecond ?? NaN, base300?.perCpuSecond ?? NaN),
          ms(l300?.p99 ?? NaN),
          mib(l?.rss ?? NaN),
          mib(l?.hwm ?? NaN) + delta(l?.hwm ?? NaN, base?.hwm ?? NaN),
        ];
      }),
    ),
    '',
    'Interpretation and recommendations: bench/README.md.',
  );
}

/** The sections other commands own (bench:fleet, the rollout loops), kept as they were. */
function keptSections(previous: string | undefined): string[] {
  if (!previous || !existsSync(previous)) return [];
  return [...readFileSync(previous, 'utf8').matchAll(/<!-- ([a-z-]+):begin[^>]*-->[\s\S]*?<!-- \1:end -->/g)].map((m) => `\n${m[0]}`);
}

console.log([...out, ...keptSections(process.argv[3])].join('\n'));
