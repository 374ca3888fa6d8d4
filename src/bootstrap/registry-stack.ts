import { Construct } from 'constructs';
import { Fn, TerraformOutput, TerraformStack } from 'cdktf';
import { AwsProvider, AwsProviderConfig } from '@cdktf/provider-aws/lib/provider';
import { DataAwsEcrRepositories } from '@cdktf/provider-aws/lib/data-aws-ecr-repositories';
import { EcrLifecyclePolicy } from '@cdktf/provider-aws/lib/ecr-lifecycle-policy';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { untaggedImagesPolicy } from '../services/container-image';
import { PROJECT, projectNames } from '../shared/names';

/** `host-name/<service>`: the repository the pipeline pushes a built service's images to. */
export function registryRepositoryName(service: string): string {
  return projectNames.pipelineRepository(service);
}

/** A repository an environment's stack builds into from a laptop (the docker provider). */
export interface EnvironmentRepository {
  readonly environment: string;
  readonly service: string;
  /** The service's `image.repositoryName`. */
  readonly name: string;
  /** The environment's `image.forceDelete`: its images are throwaway. */
  readonly forceDelete: boolean;
}

export interface RegistryStackProps {
  /** The services built from a directory, in any environment: one pipeline repository each. */
  readonly services: readonly string[];
  /** Per environment and built service, the repository the laptop path pushes to. @default none */
  readonly environmentRepositories?: readonly EnvironmentRepository[];
  readonly region: string;
  /** Days after its push an untagged image expires (the smallest `image.untaggedImageDays` of the environments). */
  readonly untaggedImageDays: number;
  /** Extra AWS provider settings, as in EnvironmentStack. @default none */
  readonly providerOverrides?: Partial<AwsProviderConfig>;
}

/**
 * Every ECR repository of the project, whichever path builds into it: the pipeline's `host-name/<service>`,
 * built once and pulled by digest by every environment (prod runs the very image dev ran), and each
 * environment's own repository that `cdktf deploy` from a laptop builds into with the docker provider.
 * Environment stacks only look them up by name: ECR names are unique per registry, so a repository
 * owned by an environment stack, once forgotten, could never be created again. Deployed once, before
 * the environments (like the state bucket); it keeps local state. A repository that already exists
 * (created by an environment stack of older code) is imported, not created.
 */
export class RegistryStack extends TerraformStack {
  /** The pipeline's repositories, in `services` order. */
  public readonly repositories: readonly EcrRepository[];
  /** The laptop path's repositories, in `environmentRepositories` order. */
  public readonly environmentRepositories: readonly EcrRepository[];
  /** One per repository: the pipeline's first, then the laptop path's. */
  public readonly lifecyclePolicies: EcrLifecyclePolicy[] = [];

  constructor(scope: Construct, id: string, props: RegistryStackProps) {
    super(scope, id);
    new AwsProvider(this, 'aws', {
      region: props.region,
      defaultTags: [{ tags: { Project: PROJECT, Purpose: 'image-registry', ManagedBy: 'cdktf' } }],
      ...props.providerOverrides,
    });

    const policy = untaggedImagesPolicy(props.untaggedImageDays);
    const adopt: { repo: EcrRepository; name: string }[] = [];
    const repository = (ids: readonly [string, string], name: string, forceDelete: boolean) => {
      const repo = new EcrRepository(this, ids[0], {
        name,
        imageTagMutability: 'IMMUTABLE',
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfiguration: [{ encryptionType: 'KMS' }],
        forceDelete,
        // Running tasks pull from here: Terraform refuses to plan its deletion (unless its images are throwaway).
        lifecycle: { preventDestroy: !forceDelete },
      });
      this.lifecyclePolicies.push(new EcrLifecyclePolicy(this, ids[1], { repository: repo.name, policy }));
      adopt.push({ repo, name });
      return repo;
    };
    // Construct ids: the pipeline's are `repository-<service>` (deployed registries have them), the laptop path's
    // `environment-<env>-<service>-repository`; neither can take the other's.
    this.repositories = props.services.map((s) => repository([`repository-${s}`, `lifecycle-${s}`], registryRepositoryName(s), false));
    this.environmentRepositories = (props.environmentRepositories ?? []).map((r) => {
      const id = `environment-${r.environment}-${r.service}`;
      return repository([`${id}-repository`, `${id}-lifecycle`], r.name, r.forceDelete);
    });
    this.adoptExisting(adopt);

    new TerraformOutput(this, 'repositories', {
      value: Object.fromEntries(props.services.map((service, i) => [service, this.repositories[i].repositoryUrl])),
      description: 'Per built service: the repository URL the pipeline pushes to',
    });
  }

  /**
   * `import` blocks (Terraform 1.7+ for_each) for every repository that already exists in the
   * registry: one an environment stack created before is adopted with its images, the rest are
   * created. A repository already in this state imports as a no-op.
   */
  private adoptExisting(repositories: readonly { repo: EcrRepository; name: string }[]): void {
    const existing = new DataAwsEcrRepositories(this, 'existing', {});
    this.addOverride(
      'import',
      // The literal name: the repository's own attribute would make the import depend on itself.
      repositories.map(({ repo, name }) => ({
        for_each: Fn.setintersection([name], [existing.names]),
        to: `${repo.terraformResourceType}.${repo.friendlyUniqueId}`,
        id: '${each.key}',
      })),
    );
  }
}
