import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Testing } from 'cdktf';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { addEnvironmentStacks } from '../src/app';
import { ConfigError } from '../src/environment/resolve';
import { overridesFromEnv, selectEnvironments } from '../src/environment/select';
import { StateBootstrapStack } from '../src/bootstrap/state-bootstrap-stack';
import { STATE_STACK_NAME } from '../src/shared/names';
import { DEMO_DEFAULT_ENVIRONMENTS, DEMO_ENVIRONMENTS } from './support/fixtures';

const REPO_ROOT = resolve(__dirname, '..');
// A fixed image keeps these tests off the docker provider and the workload sources.
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/host-name:1.0.0';
const IMAGES = JSON.stringify({ 'host-name': IMAGE });

interface SynthesizedTerraform {
  backend?: { s3?: Record<string, unknown> };
}

/** The `terraform` block of the demo's dev and prod stacks (or of `environments`), by environment name. */
function terraformBlocks(env: NodeJS.ProcessEnv, environments = DEMO_ENVIRONMENTS): Record<string, SynthesizedTerraform> {
  const configs = selectEnvironments(DEMO_DEFAULT_ENVIRONMENTS, overridesFromEnv({ HOST_NAME_IMAGES: IMAGES, ...env }), environments);
  const stacks = addEnvironmentStacks(Testing.app(), configs);
  return Object.fromEntries(
    stacks.map((stack, i) => [configs[i].name, JSON.parse(Testing.synth(stack)).terraform as SynthesizedTerraform]),
  );
}

describe('remote state backend', () => {
  it('uses local state when no bucket is configured', () => {
    for (const terraform of Object.values(terraformBlocks({}))) {
      expect(terraform.backend).toBeUndefined();
    }
  });

  it('takes the bucket from the config, in the environment region by default', () => {
    const withState = { ...DEMO_ENVIRONMENTS, dev: { ...DEMO_ENVIRONMENTS.dev, state: { bucket: 'config-state-bucket' } } };
    const blocks = terraformBlocks({}, withState);
    expect(blocks.dev.backend).toEqual({
      s3: {
        bucket: 'config-state-bucket',
        key: 'host-name/dev.tfstate',
        region: 'us-east-1',
        encrypt: true,
        use_lockfile: true,
      },
    });
    // Only dev names a bucket in this config; prod stays local.
    expect(blocks.prod.backend).toBeUndefined();
  });

  it('takes bucket and region from HOST_NAME_STATE_BUCKET / HOST_NAME_STATE_REGION, one key per environment', () => {
    const blocks = terraformBlocks({ HOST_NAME_STATE_BUCKET: 'env-state-bucket', HOST_NAME_STATE_REGION: 'eu-west-1' });
    for (const name of ['dev', 'prod']) {
      expect(blocks[name].backend).toEqual({
        s3: {
          bucket: 'env-state-bucket',
          key: `host-name/${name}.tfstate`,
          region: 'eu-west-1',
          encrypt: true,
          use_lockfile: true,
        },
      });
    }
    // No DynamoDB table: locking is S3-native.
    expect(blocks.dev.backend?.s3).not.toHaveProperty('dynamodb_table');
  });

  it('rejects a bucket name S3 would refuse, naming the field', () => {
    expect(() => terraformBlocks({ HOST_NAME_STATE_BUCKET: 'Not_A_Bucket' })).toThrow(ConfigError);
    expect(() => terraformBlocks({ HOST_NAME_STATE_BUCKET: 'Not_A_Bucket' })).toThrow(/state\.bucket = "Not_A_Bucket"/);
  });
});

describe('npm run synth with HOST_NAME_STATE_BUCKET', () => {
  let outdir: string;
  beforeEach(() => {
    outdir = mkdtempSync(join(tmpdir(), 'host-name-synth-'));
  });
  afterEach(() => rmSync(outdir, { recursive: true, force: true }));

  /** Runs the same command as `npm run synth`, with a clean HOST_NAME_* environment. */
  function synth(args: string[], env: NodeJS.ProcessEnv) {
    return spawnSync(process.execPath, ['tools/synth/run.js', ...args], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: {
        ...process.env,
        HOST_NAME_ENVS: '',
        HOST_NAME_IMAGES: '',
        HOST_NAME_STATE_BUCKET: '',
        HOST_NAME_STATE_REGION: '',
        CDKTF_OUTDIR: outdir,
        ...env,
      },
    });
  }

  it('writes the S3 backend into the requested stack, beside the state bucket stack', () => {
    const result = synth(['dev'], { HOST_NAME_STATE_BUCKET: 'ci-state-bucket', HOST_NAME_IMAGES: IMAGES });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const json = JSON.parse(readFileSync(join(outdir, 'stacks', 'host-name-dev', 'cdk.tf.json'), 'utf8'));
    expect(json.terraform.backend.s3).toEqual({
      bucket: 'ci-state-bucket',
      key: 'host-name/dev.tfstate',
      region: 'us-east-1',
      encrypt: true,
      use_lockfile: true,
    });
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.stacks).sort()).toEqual(['host-name-dev', 'host-name-registry', 'host-name-state']);
    const state = JSON.parse(readFileSync(join(outdir, 'stacks', 'host-name-state', 'cdk.tf.json'), 'utf8'));
    expect(Object.values(state.resource.aws_s3_bucket)).toEqual([expect.objectContaining({ bucket: 'ci-state-bucket' })]);
    expect(Object.keys(state.terraform.backend)).toEqual(['local']);
  });

  it('fails with one line and exit code 2 on a bad bucket name, writing no stack', () => {
    const result = synth(['dev'], { HOST_NAME_STATE_BUCKET: 'UPPER_CASE' });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: environment "dev": state\.bucket = "UPPER_CASE"/)]);
    expect(() => readFileSync(join(outdir, 'stacks', 'host-name-dev', 'cdk.tf.json'))).toThrow();
  });
});

describe('StateBootstrapStack', () => {
  const synthesized = Testing.synth(
    new StateBootstrapStack(Testing.app(), STATE_STACK_NAME, { bucket: 'host-name-tf-state', region: 'eu-west-1' }),
  );
  const parsed = JSON.parse(synthesized);

  it('creates the named bucket in the given region and refuses to destroy it', () => {
    expect(parsed.provider.aws[0].region).toBe('eu-west-1');
    expect(synthesized).toHaveResourceWithProperties(S3Bucket, {
      bucket: 'host-name-tf-state',
      force_destroy: false,
      lifecycle: { prevent_destroy: true },
    });
  });

  it('versions, encrypts and privatises the bucket', () => {
    expect(synthesized).toHaveResourceWithProperties(S3BucketVersioningA, {
      versioning_configuration: { status: 'Enabled' },
    });
    expect(synthesized).toHaveResourceWithProperties(S3BucketServerSideEncryptionConfigurationA, {
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }],
    });
    expect(synthesized).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(synthesized).toHaveResourceWithProperties(S3BucketOwnershipControls, {
      rule: { object_ownership: 'BucketOwnerEnforced' },
    });
  });

  it('denies every request that does not use TLS, on the bucket and its objects', () => {
    expect(synthesized).toHaveResource(S3BucketPolicy);
    const policy = JSON.parse(Object.values<{ policy: string }>(parsed.resource.aws_s3_bucket_policy)[0].policy);
    expect(policy.Statement).toEqual([
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 's3:*',
        Resource: ['${aws_s3_bucket.bucket.arn}', '${aws_s3_bucket.bucket.arn}/*'],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ]);
  });
});
