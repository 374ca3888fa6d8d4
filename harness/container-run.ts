/**
 * `npm run test:container`: each service's synthesized container definition, run in Docker as the ECS agent runs it
 * on an instance (bridge mode): read-only root, tmpfs mounts, task volumes, user, hard and soft memory, cpu shares,
 * environment, the container health check and the container port on a host port Docker picks. A case passes when
 * the container turns healthy (or, without a health check, answers) and then answers the target group's health
 * path with its matcher and the route's URL path with no error; else it fails with one line saying why.
 *
 * Cases: dev's services built from workload/ (the host-name image, built by `workload/test-image.sh --build-only`),
 * and every service of the fixture environment (harness/fixtures/container-run-environment.ts): Debian's nginx
 * built on the same stand-in Debian base, and variants that must fail, each for its stated reason.
 *
 * Prints one PASS/FAIL line per case and `N passed, M failed`; exits non-zero on any failure. Env: KEEP_DOCKERD=1.
 */
import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { basename, join } from 'node:path';
import { App } from 'cdktf';
import { addEnvironmentStacks } from '../src/app';
import { environmentStackName as stackName } from '../src/shared/names';
import { EnvironmentConfig, ServiceConfig } from '../src/environment/config';
import { selectEnvironments } from '../src/environment/select';
import { WORKLOAD_DIR } from '../src/environment/environment-stack';
import { CONTAINER_RUN_ENVIRONMENTS, EXPECTED_FAILURES } from './fixtures/container-run-environment';
import { createRequest, TaskVolume } from './container-definition';
import { containerLogs, dockerRunning, engine, engineJson, stopDockerd } from './docker-engine';
import { readRolloutSettings } from './rollout-settings';
import { HarnessError, PROJECT_ROOT, WORK_DIR } from './terraform';

type Json = any;

const OUT_DIR = join(WORK_DIR, 'container-run');
/** Its own tag: test-image.sh removes the previous image of the tag it builds, which must not be one another run uses. */
const HOST_NAME_TAG = 'host-name:container-run';
/** test-image.sh's stand-in for Debian's images; other build directories get it as BASE_IMAGE. */
const STANDIN_BASE = 'local/debian:bookworm-minbase';
const LABEL = 'host-name-container-run';
/** Slack on top of the health check's own worst case (start period, then retries failed checks). */
const SLACK_S = 30;
/** Without a container health check: how long the app may take to answer. */
const NO_HEALTH_CHECK_TIMEOUT_S = 120;
const POLL_MS = 250;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const stamp = () => new Date().toISOString().slice(11, 19);
const log = (line: string) => console.log(`[container-run ${stamp()}] ${line}`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env, timeoutS = 1800): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { encoding: 'utf8', env, timeout: timeoutS * 1000, cwd: PROJECT_ROOT, maxBuffer: 64 * 1024 * 1024 });
}

// ------------------------------------------------------------------------------------------------ what to run

interface Case {
  readonly label: string;
  readonly stack: Json;
  readonly service: ServiceConfig;
  /** The directory the image is built from. */
  readonly directory: string;
  readonly expectedFailure?: { readonly because: string; readonly evidence: RegExp };
}

/** Synthesizes dev and the fixture environment as `npm run synth` would, and picks the services to run. */
function synthesize(): Case[] {
  const dev = selectEnvironments(['dev']);
  const fixture = selectEnvironments(Object.keys(CONTAINER_RUN_ENVIRONMENTS), {}, CONTAINER_RUN_ENVIRONMENTS);
  const outdir = join(OUT_DIR, 'synth');
  const app = new App({ outdir });
  addEnvironmentStacks(app, [...dev, ...fixture]);
  app.synth();
  const stackOf = (c: EnvironmentConfig) => JSON.parse(readFileSync(join(outdir, 'stacks', stackName(c.name), 'cdk.tf.json'), 'utf8'));

  const cases: Case[] = [];
  for (const config of dev) {
    const stack = stackOf(config);
    for (const service of config.services) {
      if (service.image.kind === 'build' && service.image.directory === WORKLOAD_DIR) {
        cases.push({ label: `${stackName(config.name)}/${service.name}`, stack, service, directory: WORKLOAD_DIR });
      } else {
        log(`${stackName(config.name)}/${service.name}: not run (only images built from workload/ are built here)`);
      }
    }
  }
  for (const config of fixture) {
    const stack = stackOf(config);
    for (const service of config.services) {
      if (service.image.kind !== 'build') throw new HarnessError(`fixture service ${service.name}: the fixture builds its images`);
      const expectedFailure = EXPECTED_FAILURES[service.name];
      cases.push({
        label: `${stackName(config.name)}/${service.name}`,
        stack,
        service,
        directory: service.image.directory,
        expectedFailure,
      });
    }
  }
  const unknown = Object.keys(EXPECTED_FAILURES).filter((name) => !cases.some((c) => c.expectedFailure && c.service.name === name));
  if (unknown.length > 0) throw new HarnessError(`EXPECTED_FAILURES names no fixture service: ${unknown.join(', ')}`);
  return cases;
}

// ------------------------------------------------------------------------------------------------ images

/** Engine, stand-in bases and the host-name image from test-image.sh; every other directory built on the Debian stand-in. */
function buildImages(cases: readonly Case[]): { images: Map<string, string>; startedDockerd: boolean } {
  const wasRunning = dockerRunning();
  const started = Date.now();
  const buildLog = join(OUT_DIR, 'test-image-build.log');
  log(`workload/test-image.sh --build-only (log: ${buildLog})`);
  const r = run('bash', [join(PROJECT_ROOT, 'workload', 'test-image.sh'), '--build-only'], {
    ...process.env,
    KEEP_DOCKERD: '1',
    TEST_IMAGE: HOST_NAME_TAG,
  });
  writeFileSync(buildLog, `${r.stdout}${r.stderr}`);
  const startedDockerd = !wasRunning && dockerRunning();
  if (r.status !== 0) {
    if (startedDockerd && process.env.KEEP_DOCKERD !== '1') stopDockerd();
    throw new HarnessError(`workload/test-image.sh --build-only failed:\n${(r.stdout + r.stderr).slice(-2500)}`);
  }
  // By id: another build may move the tag while this run uses it.
  const hostNameId = /--build-only: \S+ is (sha256:[0-9a-f]{64})/.exec(r.stdout)?.[1];
  if (!hostNameId) throw new HarnessError(`workload/test-image.sh --build-only printed no image id; see ${buildLog}`);
  const images = new Map<string, string>([[WORKLOAD_DIR, hostNameId]]);
  log(
    `${HOST_NAME_TAG} is ${hostNameId.slice(0, 19)} (${seconds(Date.now() - started)}${startedDockerd ? ', dockerd started for this run' : ''})`,
  );

  const env = { ...process.env };
  if (run('docker', ['buildx', 'version']).status !== 0) env.DOCKER_BUILDKIT = '0';
  for (const directory of new Set(cases.map((c) => c.directory))) {
    if (images.has(directory)) continue;
    const tag = `host-name-container-run/${basename(directory)}:latest`;
    const t0 = Date.now();
    const b = run('docker', ['build', '--network', 'host', '--build-arg', `BASE_IMAGE=${STANDIN_BASE}`, '-t', tag, directory], env);
    if (b.status !== 0) throw new HarnessError(`docker build ${directory} failed:\n${(b.stdout + b.stderr).slice(-2500)}`);
    const id = run('docker', ['image', 'inspect', '-f', '{{.Id}}', tag]).stdout.trim();
    images.set(directory, id);
    log(`${tag} is ${id.slice(0, 19)} (built in ${seconds(Date.now() - t0)})`);
  }
  return { images, startedDockerd };
}

// ------------------------------------------------------------------------------------------------ one case

/** The definition of the service's container and the task's volumes, from the synthesized task definition. */
function definitionOf(stack: Json, service: string): { def: Json; volumes: TaskVolume[]; healthPath: string; matcher: string } {
  const settings = readRolloutSettings(stack, service);
  const task = stack.resource.aws_ecs_task_definition[settings.taskDefinitionId];
  const def = JSON.parse(task.container_definitions).find((d: Json) => d.name === settings.container.name);
  return { def, volumes: task.volume ?? [], healthPath: settings.healthCheck.path, matcher: settings.healthCheck.matcher };
}

/** ALB matcher syntax: "200", "200,202", "200-299". */
function matches(matcher: string, status: number): boolean {
  return matcher.split(',').some((part) => {
    const [from, to = from] = part.split('-').map(Number);
    return status >= from && status <= to;
  });
}

function httpGet(port: number, path: string): Promise<number> {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

interface Outcome {
  readonly ok: boolean;
  /** What happened, one line. */
  readonly detail: string;
  /** The container's output and its health checks' output, searched for an expected failure's evidence. */
  readonly evidence: string;
}

async function runCase(c: Case, image: string, runId: string): Promise<Outcome> {
  const { def, volumes, healthPath, matcher } = definitionOf(c.stack, c.service.name);
  const { body, notes, containerPort } = createRequest(def, volumes, image);
  const hc = def.healthCheck;
  const shape = [
    `read-only root ${def.readonlyRootFilesystem === true}`,
    `tmpfs ${(def.linuxParameters?.tmpfs ?? []).map((t: Json) => `${t.containerPath} ${t.size}m`).join(', ') || '-'}`,
    `volumes ${(def.mountPoints ?? []).map((m: Json) => m.containerPath).join(', ') || '-'}`,
    `user ${def.user ?? "the image's"}`,
    `memory ${def.memory ?? '-'}/${def.memoryReservation ?? '-'} MiB`,
    `health check ${hc ? JSON.stringify(hc.command) : 'none'}`,
  ];
  log(`${c.label}: ${shape.join('; ')}${notes.length > 0 ? `; ${notes.join('; ')}` : ''}`);

  const name = `${LABEL}-${runId}-${c.service.name}`;
  const created = await engineJson('POST', `/containers/create?name=${name}`, { ...body, Labels: { [LABEL]: runId } });
  const id: string = created.Id;
  try {
    const t0 = Date.now();
    await engineJson('POST', `/containers/${id}/start`);
    const limitS = hc ? hc.startPeriod + (hc.retries + 1) * (hc.interval + hc.timeout) + SLACK_S : NO_HEALTH_CHECK_TIMEOUT_S;
    const deadline = t0 + limitS * 1000;
    let port = 0;
    let healthOutput = '';
    for (;;) {
      const inspected = await engineJson('GET', `/containers/${id}/json`);
      const state = inspected.State;
      const binding = inspected.NetworkSettings?.Ports?.[`${containerPort}/tcp`]?.[0];
      if (binding) port = Number(binding.HostPort);
      healthOutput = (state.Health?.Log ?? []).map((l: Json) => l.Output).join('\n');
      const evidence = async () => `${await containerLogs(id)}\n${healthOutput}`;
      if (!state.Running) {
        const logs = await evidence();
        const last = lastLine(logs);
        return {
          ok: false,
          detail: `exited ${state.ExitCode}${state.OOMKilled ? ' (OOM-killed)' : ''} after ${seconds(Date.now() - t0)}: ${last}`,
          evidence: logs,
        };
      }
      if (state.Health?.Status === 'unhealthy') {
        const logs = await evidence();
        return {
          ok: false,
          detail: `unhealthy after ${seconds(Date.now() - t0)}: ${lastLine(healthOutput) || lastLine(logs)}`,
          evidence: logs,
        };
      }
      const ready = hc ? state.Health?.Status === 'healthy' : port > 0 && matches(matcher, await httpGet(port, healthPath));
      if (ready) break;
      if (Date.now() > deadline) {
        const logs = await evidence();
        return { ok: false, detail: `not healthy within ${limitS} s: ${lastLine(healthOutput) || lastLine(logs)}`, evidence: logs };
      }
      await sleep(POLL_MS);
    }
    const healthyAfter = seconds(Date.now() - t0);
    const health = await httpGet(port, healthPath);
    const route = await httpGet(port, c.service.routing.urlPath);
    const answered = `GET ${healthPath} ${health || 'no answer'} (matcher ${matcher}), GET ${c.service.routing.urlPath} ${route || 'no answer'}`;
    const ok = matches(matcher, health) && route >= 200 && route < 400;
    return { ok, detail: `${hc ? 'healthy' : 'answering'} ${healthyAfter} after start; ${answered}`, evidence: await containerLogs(id) };
  } finally {
    await engine('DELETE', `/containers/${id}?force=true&v=true`).catch(() => undefined);
  }
}

function lastLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .pop() ?? '(no output)'
  );
}

// ------------------------------------------------------------------------------------------------ main

async function main(): Promise<number> {
  const started = Date.now();
  if (process.getuid?.() !== 0)
    throw new HarnessError('test:container must run as root (it runs docker, and test-image.sh may install and start it)');
  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });

  const cases = synthesize();
  log(`${cases.length} cases: ${cases.map((c) => c.label + (c.expectedFailure ? ' (must fail)' : '')).join(', ')}`);
  const { images, startedDockerd } = buildImages(cases);
  const runId = String(process.pid);
  process.on('exit', () => {
    // Whatever a crash left behind.
    const left = run('docker', ['ps', '-aq', '--filter', `label=${LABEL}=${runId}`])
      .stdout.split('\n')
      .filter(Boolean);
    if (left.length > 0) run('docker', ['rm', '-f', '-v', ...left]);
    if (startedDockerd && process.env.KEEP_DOCKERD !== '1') stopDockerd();
  });

  let passed = 0;
  let failed = 0;
  for (const c of cases) {
    let outcome: Outcome;
    try {
      outcome = await runCase(c, images.get(c.directory)!, runId);
    } catch (error) {
      // A definition the harness cannot run, or an engine error: this case fails, the others still run.
      if (!(error instanceof Error)) throw error;
      outcome = { ok: false, detail: error.message.split('\n')[0], evidence: '' };
    }
    const expected = c.expectedFailure;
    let pass: boolean;
    let line: string;
    if (!expected) {
      pass = outcome.ok;
      line = `${c.label}: ${outcome.detail}`;
    } else if (outcome.ok) {
      pass = false;
      line = `${c.label} must fail (${expected.because}), but it ran: ${outcome.detail}`;
    } else {
      const evidence = outcome.evidence.split('\n').find((l) => expected.evidence.test(l));
      pass = evidence !== undefined;
      line = pass
        ? `${c.label} fails as it must (${expected.because}): ${evidence!.trim()}`
        : `${c.label} failed, but not with ${expected.evidence} (${expected.because}): ${outcome.detail}`;
    }
    if (pass) passed++;
    else failed++;
    console.log(`${pass ? 'PASS' : 'FAIL'}: ${line}`);
  }
  log(`total time ${seconds(Date.now() - started)}`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    if (error instanceof HarnessError) {
      console.error(`FATAL: ${error.message}`);
      console.log('0 passed, 1 failed');
      process.exit(1);
    }
    throw error;
  },
);
