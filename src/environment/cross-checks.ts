/** The checks that span areas: each compares one area's resolved settings with another's. */
import { ALB_QUOTAS, BLOCKED_PATHS_PRIORITY, EdgeConfig, ServiceConfig } from './config';
import { edgeRuleCount } from '../edge/resolve';
import { checkProductionImage } from '../services/image-reference';
import { RUNTIME_PROFILE_DEFAULTS } from '../services/runtime-profiles';
import { environmentNames, serviceLogGroupName } from '../shared/names';
import { Validator } from '../shared/validator';

/** No service rule may take the blocked-paths rule's listener priority. */
export function checkBlockedPathsPriority(v: Validator, paths: readonly string[], services: readonly ServiceConfig[]): void {
  if (paths.length === 0) return;
  for (const s of services) {
    v.check(
      `services.${s.name}.routing.priority`,
      s.routing.priority,
      s.routing.priority !== BLOCKED_PATHS_PRIORITY,
      `a priority other than ${BLOCKED_PATHS_PRIORITY} (the loadBalancer.blockedPaths rule has it)`,
    );
  }
}

/** AWS's rules quota per ALB, counted over every rule the stack puts on it: one per routed service, and the edge's own (the blocked paths). */
export function checkLoadBalancerQuotas(v: Validator, loadBalancer: EdgeConfig['loadBalancer'], services: readonly ServiceConfig[]): void {
  const rules = services.filter((s) => !s.routing.default).length + edgeRuleCount(loadBalancer);
  v.check(
    'services',
    services.length,
    rules <= loadBalancer.rulesQuota,
    `at most ${loadBalancer.rulesQuota} listener rules on one ALB, ${rules} here: raise "Rules per Application Load Balancer" in Service Quotas, then set loadBalancer.rulesQuota`,
  );
}

/** AWS's listeners quota per ALB: the edge's (HTTP, and HTTPS with a certificate) and each blue-green service's test listener. */
export function checkListenerQuota(v: Validator, edge: EdgeConfig, services: readonly ServiceConfig[]): void {
  const https = edge.domain !== undefined || edge.loadBalancer.certificateArn !== undefined;
  const testListeners = services.filter((s) => s.deployment.blueGreen?.testListener !== undefined).length;
  const listeners = (https ? 2 : 1) + testListeners;
  v.check(
    'services',
    services.length,
    listeners <= ALB_QUOTAS.listenersPerLoadBalancer,
    `at most ${ALB_QUOTAS.listenersPerLoadBalancer} listeners on one ALB (AWS's "Listeners per Application Load Balancer", not adjustable), ${listeners} here: ${testListeners} of them test listeners of blue-green services`,
  );
}

/** A production environment runs only images pinned by digest, or from private ECR (a pull-through mirror among them). */
export function checkProductionImages(v: Validator, services: readonly ServiceConfig[]): void {
  for (const service of services) if (service.image.kind === 'uri') checkProductionImage(v, service.name, service.image.uri);
}

/** The ALB must drop an idle connection before the app does, or it reuses one the app has closed: a 502. */
export function checkIdleTimeout(v: Validator, idleTimeoutSeconds: number, services: readonly ServiceConfig[]): void {
  for (const service of services) {
    const keepAlive = RUNTIME_PROFILE_DEFAULTS[service.profile].keepAliveSeconds;
    if (keepAlive === undefined) continue;
    v.check(
      'loadBalancer.idleTimeoutSeconds',
      idleTimeoutSeconds,
      idleTimeoutSeconds < keepAlive,
      `less than ${keepAlive}: services.${service.name} (${service.profile}) keeps idle connections ${keepAlive} s, and an ALB that outlasts it gets 502s`,
    );
  }
}

/** A service's log group sits beside ECS Exec's session log group: one name, two owners. */
export function checkExecLogGroup(v: Validator, namePrefix: string, services: readonly ServiceConfig[]): void {
  const execLogGroup = environmentNames(namePrefix).execLogGroup;
  for (const service of services) {
    v.check(
      `services.${service.name}`,
      service.name,
      serviceLogGroupName(namePrefix, service.name) !== execLogGroup,
      `another service name while operations.exec is on: ECS Exec's session log group is ${execLogGroup}`,
    );
  }
}
