import { Construct } from 'constructs';
import { DataAwsElbServiceAccount } from '@cdktf/provider-aws/lib/data-aws-elb-service-account';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { policyDocument } from '../shared/iam';
import { denyInsecureTransport, expiringPrivateBucket } from '../shared/private-bucket';

export interface AccessLogBucketProps {
  /** Bucket name prefix; AWS appends a unique suffix. */
  readonly namePrefix: string;
  /** Days before log objects expire. */
  readonly expirationDays: number;
}

/** A private, encrypted S3 bucket that Elastic Load Balancing may write access logs into. */
export class AccessLogBucket extends Construct {
  public readonly bucket: S3Bucket;
  /** The bucket policy; the ALB must depend on it, or AWS rejects the logging setting. */
  public readonly policy: S3BucketPolicy;

  constructor(scope: Construct, id: string, props: AccessLogBucketProps) {
    super(scope, id);
    this.bucket = expiringPrivateBucket(this, {
      namePrefix: props.namePrefix,
      expirationDays: props.expirationDays,
      ruleId: 'expire-access-logs',
      // Only logs that expire anyway: destroy may take them with the bucket.
      forceDestroy: true,
    });
    const bucketId = this.bucket.id;

    // Regions older than August 2022 deliver as a regional ELB account, newer ones as the
    // log delivery service; granting both covers every region.
    const elbAccount = new DataAwsElbServiceAccount(this, 'elb-account', {});
    const objects = `${this.bucket.arn}/*`;
    this.policy = new S3BucketPolicy(this, 'policy', {
      bucket: bucketId,
      policy: policyDocument(
        {
          Sid: 'ElbAccountWrites',
          Effect: 'Allow',
          Principal: { AWS: elbAccount.arn },
          Action: 's3:PutObject',
          Resource: objects,
        },
        {
          Sid: 'LogDeliveryWrites',
          Effect: 'Allow',
          Principal: { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: objects,
        },
        denyInsecureTransport(this.bucket.arn),
      ),
    });
  }
}
