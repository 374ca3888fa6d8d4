/**
 * `npm run validate`: synthesizes every stack the app has (each environment, the example included, and the state bucket
 * stack), plus an edge-case environment, and has Terraform itself check them (`terraform init -backend=false` + `terraform validate`)
 * against the real provider schemas. Then the exit path: `npm run export` of every environment, each directory checked as
 * Terraform alone will see it (one configuration file, no absolute path, init and validate).
 */
import { App, TerraformStack } from 'cdktf';
import { join } from 'node:path';
import { readdirSync, rmSync } from 'node:fs';
import { addEnvironmentStacks, addRegistryStack, addStateBootstrapStacks, registryEnvironments } from '../src/app';
import { EnvironmentSettings } from '../src/environment/config';
import { MAX_NAME_PREFIX_LENGTH } from '../src/environment/resolve';
import { ENVIRONMENTS } from '../src/environments';
import { IMAGES_VARIABLE, overridesFromEnv, selectEnvironments } from '../src/environment/select';
import { DEFAULT_SERVICES } from '../src/services/settings';
import { fleetEnvironment } from './fleet';

/** Services of the generated environment that proves one ALB takes dozens. */
const FLEET_SIZE = 60;
import { imagesFromUri } from './emulator-stack';
import { StateBootstrapStack } from '../src/bootstrap/state-bootstrap-stack';
import { STATE_STACK_NAME } from '../src/shared/names';
import {
  firstError,
  prepareTerraform,
  PROJECT_ROOT,
  RunResult,
  runHarness,
  seconds,
  terraform,
  TerraformSetup,
  WORK_DIR,
} from './terraform';
import { appStackNames, resolveNames } from '../src/environment/stacks';
import { absolutePaths, CONFIG_FILE, ExportError, Exported, exportStacks } from '../tools/export/export';

/** Syntactically valid, never pulled: validation only needs the task definition to reference an image. */
export const FAKE_IMAGE_URI = '123456789012.dkr.ecr.us-east-1.amazonaws.com/host-name:validate';
/** Stands in for the state bucket when no environment configures remote state. */
const FAKE_STATE_BUCKET = 'host-name-validate-state';
const DOCKER_PROVIDER = 'kreuzwerker/docker';

/**
 * Not a deployed environment: every optional feature on (HTTPS with a given certificate and a zone
 * by id, WAF with logging, Spot, arm64, per-AZ NAT, flow logs to S3, access logs, the working-hours
 * schedule, standard CPU credits, a blue/green service with an HTTPS test listener) with the longest
 * name prefix, for limits that only Terraform's schema knows. prod covers the certificate created here.
 */
const EDGE_CASES: Record<string, EnvironmentSettings> = {
  edgecases: {
    // 28 characters leave 3 for a service name (target group names: 32).
    namePrefix: 'edge-'.padEnd(MAX_NAME_PREFIX_LENGTH, 'x'),
    availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    natMode: 'per-az',
    flowLogs: true,
    // The cheaper flow log options and the schedule (dev validates the NAT instance).
    flowLogDestination: 's3',
    flowLogTraffic: 'REJECT',
    schedule: { enabled: true, timeZone: 'Europe/Berlin', days: 'MON-FRI', start: '07:00', stop: '19:00' },
    instanceType: 't4g.medium',
    cpuCredits: 'standard',
    // Listed: a Graviton burstable type has only one larger within twice its size; tasks are sized as on t4g.small.
    spot: { enabled: true, instanceTypes: ['t4g.medium', 't4g.large', 't4g.small'], weight: 2 },
    loadBalancer: {
      certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000',
      accessLogs: true,
      blockedPaths: ['/actuator*', '/internal/*'],
    },
    domain: { zoneId: 'Z0123456789ABCDEFGHIJ', recordName: 'edge.example.com' },
    waf: { enabled: true, rateLimit: 100, logging: true },
    services: {
      // A routed service with every option: host and path conditions, a priority, secrets and their key.
      api: {
        image: { uri: FAKE_IMAGE_URI },
        profile: 'spring-boot',
        routing: { pathPatterns: ['/api*', '/v2/api*'], hostHeaders: ['api.example.com'], priority: 2 },
        container: {
          environment: { LOG_LEVEL: 'debug' },
          secrets: {
            DB_PASSWORD: 'arn:aws:ssm:us-east-1:123456789012:parameter/edge/db-password',
            API_KEY: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:edge/api-key-AbCdEf',
          },
          secretsKmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000',
        },
      },
      // Blue/green behind HTTPS: a test listener on its own port (HTTPS, the listener's certificate), an
      // approval wait, linear traffic shift. One letter: the second target group adds two characters.
      b: {
        image: { uri: FAKE_IMAGE_URI },
        routing: { pathPatterns: ['/b*'] },
        container: { cpu: 128, memoryMiB: 128 },
        scaling: { maxTasks: 1 },
        deployment: {
          strategy: 'blue-green',
          trafficShift: 'linear',
          testListenerPort: 8443,
          testListenerCidrs: ['203.0.113.0/24', '198.51.100.0/24'],
          approvalWaitMinutes: 60,
          blueTerminationWaitMinutes: 0,
        },
      },
      // The default route, generic, with its own container health check, writable paths (tmpfs) and user.
      web: {
        image: { uri: FAKE_IMAGE_URI },
        routing: { default: true },
        container: {
          port: 3000,
          healthCheck: { command: ['CMD-SHELL', 'wget -qO- http://localhost:3000/health || exit 1'] },
          writablePaths: { cache: { path: '/var/cache/app', sizeMiB: 32 }, run: { path: '/run', sizeMiB: 1 } },
          user: '1000:1000',
        },
      },
    },
  },
};
const OUT_DIR = join(WORK_DIR, 'validate');
const EXPORT_DIR = join(WORK_DIR, 'export');

interface Target {
  readonly stack: TerraformStack;
  /** What was validated, and why when it differs from the app as configured. */
  readonly note: string;
}

/**
 * The app as main.ts builds it, except: an environment that builds its image gets a fake image
 * URI when the docker provider can't be installed here, and the state bucket stack is added with
 * a fake bucket name when no environment configures one.
 */
function buildApp(app: App, setup: TerraformSetup): Target[] {
  const overrides = overridesFromEnv(process.env);
  const targets: Target[] = [];
  const configs = selectEnvironments(Object.keys(ENVIRONMENTS), overrides).map((config) => {
    let note = 'images built from source (docker provider)';
    if (config.services.every((s) => s.image.kind === 'uri')) note = 'images from URIs, as configured';
    else if (!setup.canInstall(DOCKER_PROVIDER)) {
      note =
        `a fake image URI instead of the build source: ${DOCKER_PROVIDER} is not in the mirror ` +
        `${setup.mirror} (with a mirror, the registry is not relied on)`;
      // Every environment stays known: HOST_NAME_IMAGES may name a service of another one.
      const settings = { ...ENVIRONMENTS, [config.name]: imagesFromUri(ENVIRONMENTS[config.name], FAKE_IMAGE_URI) };
      config = selectEnvironments([config.name], overrides, settings)[0];
    }
    targets.push({ stack: addEnvironmentStacks(app, [config])[0], note });
    return config;
  });
  const stateStacks = addStateBootstrapStacks(app, configs);
  stateStacks.forEach((stack) => targets.push({ stack, note: 'the configured state bucket' }));
  if (stateStacks.length === 0) {
    const github = { repository: 'my-org/host-name', environments: configs.map((c) => c.name) };
    const stack = new StateBootstrapStack(app, STATE_STACK_NAME, { bucket: FAKE_STATE_BUCKET, region: configs[0].region, github });
    targets.push({ stack, note: `a fake bucket name (no environment configures remote state), with the CI roles` });
  }
  targets.push({ stack: addRegistryStack(app, registryEnvironments()), note: 'the shared image registry' });
  const [edge] = selectEnvironments([], {}, EDGE_CASES);
  targets.push({ stack: addEnvironmentStacks(app, [edge])[0], note: 'every optional feature and the longest name prefix (not deployed)' });
  const [fleet] = selectEnvironments([], {}, { fleet: fleetEnvironment(FLEET_SIZE) });
  targets.push({ stack: addEnvironmentStacks(app, [fleet])[0], note: `${FLEET_SIZE} services on one ALB (not deployed)` });
  return targets;
}

interface Check {
  readonly name: string;
  /** What was checked, and how it differs from what a user gets. */
  readonly note: string;
  readonly dir?: string;
  /** Found before terraform runs. */
  readonly problem?: string;
}

/** `npm run export` of every environment into harness/.work/export, and what each directory must be before terraform sees it. */
function exportChecks(setup: TerraformSetup): Check[] {
  const env: NodeJS.ProcessEnv = { ...process.env };
  let note = 'as exported';
  if (!setup.canInstall(DOCKER_PROVIDER) && !env[IMAGES_VARIABLE]) {
    // Every service built from source, in any environment, runs the fake image instead.
    const built = Object.values(ENVIRONMENTS).flatMap((e) =>
      Object.entries(e.services ?? DEFAULT_SERVICES).flatMap(([name, service]) => (service.image.directory !== undefined ? [name] : [])),
    );
    env[IMAGES_VARIABLE] = JSON.stringify(Object.fromEntries(built.map((name) => [name, FAKE_IMAGE_URI])));
    note = `with fake ${IMAGES_VARIABLE}: ${DOCKER_PROVIDER} is not in the mirror`;
  }
  const environments = Object.keys(ENVIRONMENTS);
  const stacks = appStackNames(resolveNames(environments, overridesFromEnv(env)).configs);
  rmSync(EXPORT_DIR, { recursive: true, force: true });
  let exported: Exported[];
  try {
    exported = exportStacks({ environments, stacks, outDir: EXPORT_DIR, env });
  } catch (error) {
    if (!(error instanceof ExportError)) throw error;
    return [{ name: 'npm run export', note, problem: error.message }];
  }
  return exported.map(({ stack, dir, json }) => {
    const configFiles = readdirSync(dir).filter((f) => /\.tf(\.json)?$/.test(f));
    const absolute = absolutePaths(json, [PROJECT_ROOT]);
    const providers = Object.values<{ source: string }>((json as any).terraform?.required_providers ?? {}).map((p) =>
      p.source.includes('/') ? p.source : `hashicorp/${p.source}`,
    );
    const missing = providers.filter((p) => !setup.canInstall(p));
    let problem: string | undefined;
    if (configFiles.join() !== CONFIG_FILE) problem = `configuration files ${configFiles.join(', ')}: expected ${CONFIG_FILE} alone`;
    else if (absolute.length > 0) problem = `absolute paths: ${absolute.join('; ')}`;
    else if (missing.length > 0) problem = `needs ${missing.join(', ')}, which the mirror ${setup.mirror} lacks`;
    return { name: `export/${stack}`, note: `(one ${CONFIG_FILE}, relative paths) ${note}`, dir, problem };
  });
}

async function main(): Promise<number> {
  const start = performance.now();
  selectEnvironments(Object.keys(ENVIRONMENTS), overridesFromEnv(process.env)); // bad input fails here, before terraform runs
  const setup = await prepareTerraform();
  console.log(`terraform ${setup.version}; ${setup.description}`);

  rmSync(OUT_DIR, { recursive: true, force: true });
  const app = new App({ outdir: OUT_DIR });
  const targets = buildApp(app, setup);
  app.synth();

  const checks: Check[] = [
    ...targets.map((t) => ({ name: t.stack.node.id, note: `with ${t.note}`, dir: join(OUT_DIR, 'stacks', t.stack.node.id) })),
    ...exportChecks(setup),
  ];
  // Init one stack at a time: the shared plugin cache is not safe for concurrent installs.
  const inits: (RunResult | undefined)[] = [];
  for (const c of checks) {
    inits.push(c.problem || !c.dir ? undefined : await terraform(setup, c.dir, ['init', '-backend=false', '-input=false', '-no-color']));
  }
  const validations = await Promise.all(
    checks.map((c, i) => (inits[i]?.code === 0 ? terraform(setup, c.dir!, ['validate', '-no-color']) : undefined)),
  );

  let failed = 0;
  checks.forEach((c, i) => {
    let problem = c.problem;
    if (!problem && inits[i]!.code !== 0) problem = `terraform init: ${firstError(inits[i]!.output)}`;
    else if (!problem && validations[i]!.code !== 0) problem = `terraform validate: ${firstError(validations[i]!.output)}`;
    if (problem) failed++;
    console.log(`${problem ? 'FAIL' : 'PASS'} ${c.name} ${c.note}${problem ? `\n     ${problem}` : ''}`);
  });
  console.log(`validate took ${seconds(start)}`);
  console.log(`${checks.length - failed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

runHarness(main);
