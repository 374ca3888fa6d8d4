/**
 * Upgrades of a deployed environment, in the stack's own scope. `moved` blocks carry a deployment of
 * the single-service layout over to the services layout, so its resources keep their state instead of
 * being destroyed and created again; `removed` blocks forget what the stack no longer manages but which
 * still holds data. Terraform ignores either block when its source is not in the state, so a fresh
 * deployment is unaffected. `npm run test:upgrade` proves the moves on a deployed old dev stack.
 */
import { IConstruct } from 'constructs';
import { TerraformResource, TerraformStack } from 'cdktf';
// cdktf's own logical-id algorithm (HashedAddressingScheme): the old addresses are computed, not retyped.
import { makeUniqueId } from 'cdktf/lib/private/unique';
import { ContainerImage, FORMER_BUILD_RESOURCES } from '../services/container-image';
import { LoadBalancedService } from '../services/load-balanced-service';
import { OperationsKey } from '../operations/operations-key';

/** The one service of the single-service layout, and where its constructs sat below the stack. */
export const LEGACY_LAYOUT = {
  service: 'host-name',
  /** The service construct (task, roles, log group, ECS service, scaling). */
  servicePath: ['service'],
  /** The image construct (ECR repository, lifecycle policy, docker build and push). */
  imagePath: ['image'],
  /** The target group sat directly in the load balancer construct. */
  routePath: ['load-balancer'],
} as const;

/**
 * Marks every resource below `scope` as moved from the same relative path below `legacyPath`
 * (a construct path relative to the stack, as the old code built it).
 */
export function moveFromLegacyPath(scope: IConstruct, legacyPath: readonly string[]): void {
  const depth = scope.node.scopes.length;
  for (const child of scope.node.findAll()) {
    if (!TerraformResource.isTerraformResource(child)) continue;
    const relative = child.node.scopes.slice(depth).map((c) => c.node.id);
    child.moveFromId(`${child.terraformResourceType}.${makeUniqueId([...legacyPath, ...relative])}`);
  }
}

/** Addresses `[type, construct id]` children of a construct had below `legacyPath`: for `removed` blocks of what the construct no longer creates. */
export function legacyAddresses(children: readonly (readonly [string, string])[], legacyPath: readonly string[]): string[] {
  return children.map(([type, id]) => `${type}.${makeUniqueId([...legacyPath, id])}`);
}

/** The parts of an environment that have upgrades. */
export interface UpgradeSources {
  /** The image of each service, in the same order as `services`. */
  readonly images: readonly ContainerImage[];
  readonly services: readonly LoadBalancedService[];
  readonly operationsKey: OperationsKey;
}

/** Every `moved` and `removed` block of an environment stack. */
export function applyUpgrades(stack: TerraformStack, from: UpgradeSources): void {
  const legacy = from.services.findIndex((service) => service.name === LEGACY_LAYOUT.service);
  if (legacy >= 0) moveLegacyService(from.images[legacy], from.services[legacy]);
  forgetRetiredResources(stack, [
    ...(legacy >= 0 ? legacyAddresses(FORMER_BUILD_RESOURCES, LEGACY_LAYOUT.imagePath) : []),
    ...from.images.flatMap((image) => image.formerBuildResources),
    ...from.operationsKey.retiredResources,
  ]);
}

/** The single-service layout's service: its image, its ECS service and its target group. */
function moveLegacyService(image: ContainerImage, service: LoadBalancedService): void {
  moveFromLegacyPath(image, LEGACY_LAYOUT.imagePath);
  moveFromLegacyPath(service, LEGACY_LAYOUT.servicePath);
  moveFromLegacyPath(service.route.targetGroup.node.scope!, LEGACY_LAYOUT.routePath);
}

/**
 * What older code created here and the stack no longer manages, but which still holds data: ECR
 * repositories with their images, retired KMS keys. Forgotten, never deleted (`removed` with
 * destroy = false, Terraform 1.7+).
 */
function forgetRetiredResources(stack: TerraformStack, addresses: readonly string[]): void {
  stack.addOverride(
    'removed',
    addresses.map((from) => ({ from, lifecycle: { destroy: false } })),
  );
}
