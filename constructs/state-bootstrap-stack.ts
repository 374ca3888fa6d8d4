import { Construct } from 'constructs';
import { TerraformOutput, TerraformStack } from 'cdktf';
import { AwsProvider, AwsProviderConfig } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { policyDocument } from './iam';

/** Stack name of the state bucket, beside host-name-dev and host-name-prod. */
export const STATE_STACK_NAME = 'host-name-state';

export interface StateBootstrapStackProps {
  /** Name of the bucket that HostNameStack's S3 backend uses (config `state.bucket`). */
  readonly bucket: string;
  /** Region of the bucket (config `state.region`). */
  readonly region: string;
  /** Extra AWS provider settings, as in HostNameStack. @default none */
  readonly providerOverrides?: Partial<AwsProviderConfig>;
}

/**
 * The S3 bucket that holds every environment's Terraform state. It is created once, before any
 * environment uses the S3 backend, so this stack itself keeps local state.
 */
export class StateBootstrapStack extends TerraformStack {
  public readonly bucket: S3Bucket;

  constructor(scope: Construct, id: string, props: StateBootstrapStackProps) {
    super(scope, id);
    new AwsProvider(this, 'aws', {
      region: props.region,
      defaultTags: [{ tags: { Project: 'host-name', Purpose: 'terraform-state', ManagedBy: 'cdktf' } }],
      ...props.providerOverrides,
    });

    // Losing this bucket loses track of every environment: Terraform refuses to plan its deletion.
    this.bucket = new S3Bucket(this, 'bucket', {
      bucket: props.bucket,
      forceDestroy: false,
      lifecycle: { preventDestroy: true },
    });
    const bucketId = this.bucket.id;

    // Every state write is a new version: a bad apply or a corrupted state can be rolled back.
    new S3BucketVersioningA(this, 'versioning', {
      bucket: bucketId,
      versioningConfiguration: { status: 'Enabled' },
    });
    // AES256 (SSE-S3), not aws:kms: the backend's `encrypt = true` without `kms_key_id` sends
    // AES256 on every PutObject, which overrides a KMS bucket default anyway. Who may read state
    // is decided by IAM and the policy below. To use a KMS key, set it here and in the backend.
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket: bucketId,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
    });
    new S3BucketPublicAccessBlock(this, 'public-access-block', {
      bucket: bucketId,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    // ACLs off: the bucket owner owns every object, access is by policy only.
    new S3BucketOwnershipControls(this, 'ownership', {
      bucket: bucketId,
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    });
    new S3BucketPolicy(this, 'policy', {
      bucket: bucketId,
      policy: policyDocument({
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 's3:*',
        Resource: [this.bucket.arn, `${this.bucket.arn}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    });

    new TerraformOutput(this, 'state_bucket', { value: this.bucket.bucket, description: 'S3 bucket for remote state' });
  }
}
