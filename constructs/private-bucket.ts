import { Construct } from 'constructs';
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
