/**
 * Terraform `moved` blocks that carry a deployment of the single-service layout
 * over to the services layout, so its resources keep their state instead of being destroyed and
 * created again. Terraform ignores a moved block whose source is not in the state, so a fresh
 * deployment is unaffected. `npm run test:upgrade` proves the moves on a deployed old dev stack.
 */
import { IConstruct } from 'constructs';
import { TerraformResource } from 'cdktf';
// cdktf's own logical-id algorithm (HashedAddressingScheme): the old addresses are computed, not retyped.
import { makeUniqueId } from 'cdktf/lib/private/unique';

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
