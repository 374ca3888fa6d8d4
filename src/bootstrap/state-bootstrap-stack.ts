import { Construct } from 'constructs';
import { TerraformOutput, TerraformStack } from 'cdktf';
import { AwsProvider, AwsProviderConfig } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { GithubOidcRoles, GithubOidcRolesProps } from './github-oidc-roles';
import { policyDocument } from '../shared/iam';
import { denyInsecureTransport, makeBucketPrivate } from '../shared/private-bucket';
import { PROJECT } from '../shared/names';

export interface StateBootstrapStackProps {
  /** Name of the bucket that EnvironmentStack's S3 backend uses (config `state.bucket`). */
  readonly bucket: string;
  /** Region of the bucket (config `state.region`). */
  readonly region: string;
  /**
   * The GitHub repository (`owner/repository`) whose workflows plan and deploy: with it, this stack
   * also holds GitHub's OIDC provider and the CI roles (github-oidc-roles.ts). @default none: set them up by hand
   */
  readonly github?: Omit<GithubOidcRolesProps, 'stateBucketArn'>;
  /** Extra AWS provider settings, as in EnvironmentStack. @default none */
  readonly providerOverrides?: Partial<AwsProviderConfig>;
}

/**
 * The S3 bucket that holds every environment's Terraform state. It is created once, before any
 * environment uses the S3 backend, so this stack itself keeps local state.
 */
export class StateBootstrapStack extends TerraformStack {
  public readonly bucket: S3Bucket;
  public readonly ci?: GithubOidcRoles;

  constructor(scope: Construct, id: string, props: StateBootstrapStackProps) {
    super(scope, id);
    new AwsProvider(this, 'aws', {
      region: props.region,
      defaultTags: [{ tags: { Project: PROJECT, Purpose: 'terraform-state', ManagedBy: 'cdktf' } }],
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

    if (props.github) {
      this.ci = new GithubOidcRoles(this, 'ci', { ...props.github, stateBucketArn: this.bucket.arn });
      new TerraformOutput(this, 'plan_role_arn', { value: this.ci.planRole.arn, description: 'AWS_PLAN_ROLE_ARN' });
    }

    new TerraformOutput(this, 'state_bucket', { value: this.bucket.bucket, description: 'S3 bucket for remote state' });
  }
}
