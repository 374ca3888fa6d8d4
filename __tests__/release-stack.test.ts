/** What EnvironmentStack wires for a release: tags on instances, deployment alarms per service, the ECS service-linked role. */
import { demoConfig } from './support/fixtures';
import { resourcesOf } from './support/synth';
import { synthStack } from './support/stacks';

const dev = (settings = {}) => synthStack(demoConfig('dev', settings));

describe('EnvironmentStack, release settings', () => {
  const { json } = dev({ tags: { CostCenter: 'platform' } });

  test("what every launch template's launches create carries the provider's default tags (from the same object, so they never differ)", () => {
    const defaultTags = json.provider!.aws[0].default_tags[0].tags;
    expect(defaultTags).toEqual({ Project: 'host-name', Environment: 'dev', ManagedBy: 'cdktf', CostCenter: 'platform' });
    const templates = Object.values(resourcesOf(json, 'aws_launch_template'));
    for (const template of templates) {
      const [{ tags }] = template.tag_specifications;
      for (const spec of template.tag_specifications) expect(spec.tags).toEqual({ ...defaultTags, Name: tags.Name });
    }
  });

  test("each service's deployment is judged by its own alarms", () => {
    const [service] = Object.values(resourcesOf(json, 'aws_ecs_service'));
    const alarms = resourcesOf(json, 'aws_cloudwatch_metric_alarm');
    const judged = service.alarms.alarm_names.map(
      (ref: string) => alarms[/^\$\{aws_cloudwatch_metric_alarm\.([^.]+)\.alarm_name\}$/.exec(ref)![1]].alarm_name,
    );
    expect(judged).toEqual([
      'host-name-dev-host-name-target-5xx',
      'host-name-dev-host-name-unhealthy-hosts',
      'host-name-dev-host-name-p99-latency',
    ]);
    expect(service.alarms).toMatchObject({ enable: true, rollback: true });
  });

  test('no ECS service-linked role unless asked; asked, the cluster and the capacity provider wait for it', () => {
    expect(resourcesOf(json, 'aws_iam_service_linked_role')).toEqual({});
    const fresh = dev({ createEcsServiceLinkedRole: true }).json;
    const roles = Object.entries(resourcesOf(fresh, 'aws_iam_service_linked_role'));
    expect(roles.map(([, r]) => r.aws_service_name)).toEqual(['ecs.amazonaws.com']);
    const address = `aws_iam_service_linked_role.${roles[0][0]}`;
    for (const type of ['aws_ecs_cluster', 'aws_ecs_capacity_provider']) {
      expect(Object.values(resourcesOf(fresh, type))[0].depends_on).toEqual([address]);
    }
  });
});
