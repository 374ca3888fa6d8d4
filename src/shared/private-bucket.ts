import { Construct } from 'constructs';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { PolicyStatement } from './iam';

/**
 * What every bucket here gets: public access blocked, ACLs off (the owner owns every object) and
 * SSE-S3 by default. SSE-S3 because ALB access logs accept nothing else, and the state backend's
 * `encrypt = true` writes AES256 anyway.
 */
export function makeBucketPrivate(scope: Construct, bucketId: string): void {
  new S3BucketPublicAccessBlock(scope, 'public-access-block', {
    bucket: bucketId,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new S3BucketOwnershipControls(scope, 'ownership', {
    bucket: bucketId,
    rule: { objectOwnership: 'BucketOwnerEnforced' },
  });
  new S3BucketServerSideEncryptionConfigurationA(scope, 'encryption', {
    bucket: bucketId,
    rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
  });
}

/** Bucket policy statement that refuses any request not made over TLS. */
export function denyInsecureTransport(bucketArn: string): PolicyStatement {
  return {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: { AWS: '*' },
    Action: 's3:*',
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}

/**
 * A private log bucket (`bucket`, made private, a `lifecycle`) whose objects expire after
 * `expirationDays`, in `scope`. Bucket names stop at 63 characters and Terraform appends 26, so the
 * prefix gets 37.
 */
export function expiringPrivateBucket(
  scope: Construct,
  props: { namePrefix: string; expirationDays: number; ruleId: string; forceDestroy: boolean },
): S3Bucket {
  const bucket = new S3Bucket(scope, 'bucket', { bucketPrefix: props.namePrefix.slice(0, 37), forceDestroy: props.forceDestroy });
  makeBucketPrivate(scope, bucket.id);
  new S3BucketLifecycleConfiguration(scope, 'lifecycle', {
    bucket: bucket.id,
    rule: [
      {
        id: props.ruleId,
        status: 'Enabled',
        filter: [{ prefix: '' }],
        expiration: [{ days: props.expirationDays }],
        abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
      },
    ],
  });
  return bucket;
}
