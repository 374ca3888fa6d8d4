import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CustomerManagedKey } from './kms-key';

export interface ExecLoggingProps {
  /** Key alias `alias/<namePrefix>-exec`. */
  readonly namePrefix: string;
  readonly region: string;
  readonly logGroupName: string;
  readonly logRetentionDays: number;
}

/**
 * Where ECS Exec sessions are recorded: a log group encrypted with a customer managed key that
 * CloudWatch Logs may use for exactly that group. The same key encrypts the session's data channel
 * (the cluster's execute_command_configuration.kms_key_id).
 */
export class ExecLogging extends Construct {
  public readonly key: CustomerManagedKey;
  public readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: ExecLoggingProps) {
    super(scope, id);
    this.key = new CustomerManagedKey(this, 'key', {
      aliasName: `${props.namePrefix}-exec`,
      description: `Encrypts ECS Exec sessions and their log group ${props.logGroupName}`,
      serviceStatements: (account, partition) => [
        {
          Sid: 'CloudWatchLogsEncryptsTheExecLogGroup',
          Effect: 'Allow',
          Principal: { Service: `logs.${props.region}.amazonaws.com` },
          Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
          Resource: '*',
          Condition: {
            ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${props.region}:${account}:log-group:${props.logGroupName}` },
          },
        },
      ],
    });
    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: props.logGroupName,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: this.key.key.arn,
    });
  }
}
