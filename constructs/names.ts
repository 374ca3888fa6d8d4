/**
 * Physical names of an environment's shared resources, from its name prefix. The constructs build
 * them with these functions, and so does `npm run ops`, which finds a deployed environment by them.
 */
export const environmentNames = (namePrefix: string) =>
  ({
    cluster: `${namePrefix}-cluster`,
    autoScalingGroup: `${namePrefix}-instances`,
    capacityProvider: `${namePrefix}-ec2`,
    /** Alarm names all start with this, so `describe-alarms --alarm-name-prefix` finds the environment's. */
    alarmPrefix: `${namePrefix}-`,
    alarmTopic: `${namePrefix}-alarms`,
    dashboard: namePrefix,
    execLogGroup: `/ecs/${namePrefix}/exec`,
    /** The one customer managed key of operations: alarm topic, ECS Exec (`alias/<this>`). */
    operationsKeyAlias: `${namePrefix}-operations`,
  }) as const;
