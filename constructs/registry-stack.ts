import { Construct } from 'constructs';
import { TerraformOutput, TerraformStack } from 'cdktf';
import { AwsProvider, AwsProviderConfig } from '@cdktf/provider-aws/lib/provider';
import { EcrLifecyclePolicy } from '@cdktf/provider-aws/lib/ecr-lifecycle-policy';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { keepLastImagesPolicy } from './container-image';

/** Stack name of the shared image registry, beside host-name-state. */
export const REGISTRY_STACK_NAME = 'host-name-registry';

/** `host-name/<service>`: the repository the pipeline pushes a built service's images to. */
export function registryRepositoryName(service: string): string {
  return `host-name/${service}`;
}

export interface RegistryStackProps {
  /** The services built from a directory, in any environment: one repository each. */
  readonly services: readonly string[];
  readonly region: string;
  /** Images each repository keeps (the largest `image.keepImages` of the environments). */
  readonly keepImages: number;
  /** Extra AWS provider settings, as in HostNameStack. @default none */
  readonly providerOverrides?: Partial<AwsProviderConfig>;
}

/**
 * The ECR repositories the pipeline builds into once and every environment pulls from by digest,
 * so prod runs the very image dev ran. Deployed once, before the environments (like the state
 * bucket); it keeps local state. `cdktf deploy` from a laptop without HOST_NAME_IMAGE_URI keeps
 * building into each environment's own repository instead.
 */
export class RegistryStack extends TerraformStack {
  public readonly repositories: readonly EcrRepository[];

  constructor(scope: Construct, id: string, props: RegistryStackProps) {
    super(scope, id);
    new AwsProvider(this, 'aws', {
      region: props.region,
      defaultTags: [{ tags: { Project: 'host-name', Purpose: 'image-registry', ManagedBy: 'cdktf' } }],
      ...props.providerOverrides,
    });

    this.repositories = props.services.map((service) => {
      // Every environment's running tasks pull from here: Terraform refuses to plan its deletion.
      const repository = new EcrRepository(this, `repository-${service}`, {
        name: registryRepositoryName(service),
        imageTagMutability: 'IMMUTABLE',
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfiguration: [{ encryptionType: 'KMS' }],
        forceDelete: false,
        lifecycle: { preventDestroy: true },
      });
      new EcrLifecyclePolicy(this, `lifecycle-${service}`, { repository: repository.name, policy: keepLastImagesPolicy(props.keepImages) });
      return repository;
    });

    new TerraformOutput(this, 'repositories', {
      value: Object.fromEntries(props.services.map((service, i) => [service, this.repositories[i].repositoryUrl])),
      description: 'Per built service: the repository URL the pipeline pushes to',
    });
  }
}
