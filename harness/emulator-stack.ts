/**
 * The integration test's own cdktf app: a production EnvironmentStack whose AWS provider talks to a
 * local emulator. Emulator settings go in through the generic `providerOverrides` prop only.
 */
import { App, LocalBackend } from 'cdktf';
import { join } from 'node:path';
import { AwsProviderConfig } from '@cdktf/provider-aws/lib/provider';
import { addEnvironmentStacks } from '../src/app';
import { environmentStackName } from '../src/shared/names';
import { EnvironmentConfig, EnvironmentSettings } from '../src/environment/config';
import { DEFAULT_SERVICES } from '../src/services/settings';
import { ENVIRONMENTS } from '../src/environments';
import { selectEnvironments } from '../src/environment/select';

/** Every AWS API the stacks call (prod adds S3 for access logs; ECR only when building; KMS and SNS for the alarm topic; prod adds ACM, Route 53 and WAF; CodeDeploy for blue-green services). */
const SERVICES = [
  'acm',
  'applicationautoscaling',
  'autoscaling',
  'cloudwatch',
  'cloudwatchlogs',
  'codedeploy',
  'ec2',
  'ecr',
  'ecs',
  'elbv2',
  'iam',
  'kms',
  'route53',
  's3',
  'sns',
  'ssm',
  'sts',
  'wafv2',
] as const;

/** Image the emulated service "runs": nothing pulls it. */
export const EMULATOR_IMAGE_URI = '123456789012.dkr.ecr.us-east-1.amazonaws.com/host-name:integration';

export function emulatorProvider(endpoint: string): Partial<AwsProviderConfig> {
  return {
    accessKey: 'test',
    secretKey: 'test',
    endpoints: [Object.fromEntries(SERVICES.map((s) => [s, endpoint]))],
    skipCredentialsValidation: true,
    skipMetadataApiCheck: 'true',
    skipRequestingAccountId: true,
    skipRegionValidation: true,
    s3UsePathStyle: true,
  };
}

export interface EmulatorStack {
  readonly config: EnvironmentConfig;
  /** Directory holding cdk.tf.json; state stays beside it. */
  readonly dir: string;
}

/** `settings` with every service that builds from a directory running `uri` instead (no docker provider). */
export function imagesFromUri(settings: EnvironmentSettings, uri: string): EnvironmentSettings {
  const services = Object.entries(settings.services ?? DEFAULT_SERVICES).map(([name, s]) => [
    name,
    s.image.directory ? { ...s, image: { uri } } : s,
  ]);
  return { ...settings, services: Object.fromEntries(services) };
}

/** The environments as configured, except images from a URI and that destroy may delete the ALB (prod protects it). */
const DESTROYABLE = Object.fromEntries(
  Object.entries(ENVIRONMENTS).map(([name, s]) => [
    name,
    imagesFromUri({ ...s, loadBalancer: { ...s.loadBalancer, deletionProtection: false } }, EMULATOR_IMAGE_URI),
  ]),
);

/**
 * Synthesizes one environment against `endpoint` into `outdir`, with local state in the stack directory;
 * `adjust` changes its settings first (an older shape of it, for an upgrade scenario). @default as configured
 */
export function synthEmulatorStack(
  environment: string,
  endpoint: string,
  outdir: string,
  adjust: (s: EnvironmentSettings) => EnvironmentSettings = (s) => s,
): EmulatorStack {
  const [config] = selectEnvironments([environment], {}, { ...DESTROYABLE, [environment]: adjust(DESTROYABLE[environment]) });
  const app = new App({ outdir });
  const [stack] = addEnvironmentStacks(app, [config], { providerOverrides: emulatorProvider(endpoint) });
  new LocalBackend(stack, { path: 'terraform.tfstate' });
  app.synth();
  return { config, dir: join(outdir, 'stacks', environmentStackName(environment)) };
}
