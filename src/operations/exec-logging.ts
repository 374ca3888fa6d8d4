import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CustomerManagedKey } from '../shared/kms-key';

export interface ExecLoggingProps {
  readonly logGroupName: string;
  /** Encrypts the group and the sessions; its policy must let CloudWatch Logs use it for this group (operations-key.ts). */
  readonly key: CustomerManagedKey;
  readonly logRetentionDays: number;
}

/**
 * Where ECS Exec sessions are recorded: a log group encrypted with the environment's operations key,
 * which CloudWatch Logs may use for exactly that group. The same key encrypts the session's data
 * channel (the cluster's execute_command_configuration.kms_key_id).
 */
export class ExecLogging extends Construct {
  public readonly key: CustomerManagedKey;
  public readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: ExecLoggingProps) {
    super(scope, id);
    this.key = props.key;
    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: props.logGroupName,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: this.key.key.arn,
    });
  }
}
