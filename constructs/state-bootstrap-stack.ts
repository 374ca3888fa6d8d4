import { Construct } from 'constructs';
import { TerraformOutput, TerraformStack } from 'cdktf';
import { AwsProvider, AwsProviderConfig } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { policyDocument } from './iam';
import { denyInsecureTransport, makeBucketPrivate } from './private-bucket';

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
    // Public access blocked, ACLs off, SSE-S3. Not aws:kms: the backend's `encrypt = true` without
    // `kms_key_id` sends AES256 on every PutObject, which overrides a KMS bucket default anyway.
    // To use a KMS key, set it here and in the backend together.
    makeBucketPrivate(this, bucketId);
    new S3BucketPolicy(this, 'policy', {
      bucket: bucketId,
      policy: policyDocument(denyInsecureTransport(this.bucket.arn)),
    });

    new TerraformOutput(this, 'state_bucket', { value: this.bucket.bucket, description: 'S3 bucket for remote state' });
  }
}
