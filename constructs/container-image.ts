import { Construct } from 'constructs';
import { Fn, TerraformStack } from 'cdktf';
// cdktf's own logical-id algorithm: the addresses the build path would have are computed, not retyped.
import { makeUniqueId } from 'cdktf/lib/private/unique';
import { resolve } from 'node:path';
import { DataAwsEcrAuthorizationToken } from '@cdktf/provider-aws/lib/data-aws-ecr-authorization-token';
import { EcrLifecyclePolicy } from '@cdktf/provider-aws/lib/ecr-lifecycle-policy';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { Image } from '@cdktf/provider-docker/lib/image';
import { RegistryImage } from '@cdktf/provider-docker/lib/registry-image';
import { sourceHash } from './source-hash';

/** Build a directory with the docker provider and push it to a new ECR repository. */
export interface BuildImageSource {
  readonly kind: 'build';
  /** Docker build context; the Dockerfile is at its root. */
  readonly directory: string;
  /** Must match the instances' architecture: linux/amd64 or linux/arm64. */
  readonly platform: string;
}

/** Use an image built elsewhere, by tag or digest. */
export interface UriImageSource {
  readonly kind: 'uri';
  readonly uri: string;
}

export interface ContainerImageProps {
  /** Name of the ECR repository, when building. */
  readonly repositoryName: string;
  readonly source: BuildImageSource | UriImageSource;
  /** Images the lifecycle policy keeps. @default 20 */
  readonly keepImages?: number;
  /** Let destroy delete a repository that still holds images. @default false */
  readonly forceDelete?: boolean;
  /**
   * The docker provider to build with, when another image of the stack already made one (a stack
   * has one unaliased docker provider). @default its own, authenticated to this repository's registry
   */
  readonly dockerProvider?: DockerProvider;
}

/**
 * The image the service runs: either built from source and pushed to ECR (tagged with a content
 * hash of the source, referenced by digest), or an existing URI, with no docker provider at all.
 */
export class ContainerImage extends Construct {
  /** What the task definition references: `repo@sha256:…` when built here, else the given URI. */
  public readonly imageUri: string;
  /** Set when building. */
  public readonly repository?: EcrRepository;
  /** Content hash of the build context; set when building. */
  public readonly sourceHash?: string;
  public readonly image?: Image;
  public readonly registryImage?: RegistryImage;
  /** The provider that builds and pushes; pass it to the stack's other built images. Set when building. */
  public readonly dockerProvider?: DockerProvider;
  /**
   * From a URI: the addresses of the ECR repository and lifecycle policy the build path owns here,
   * for `removed` blocks that forget them (never delete them) when a stack switches to a URI.
   */
  public readonly formerBuildResources: readonly string[] = [];

  constructor(scope: Construct, id: string, props: ContainerImageProps) {
    super(scope, id);
    if (props.source.kind === 'uri') {
      this.imageUri = props.source.uri;
      this.formerBuildResources = [
        ['aws_ecr_repository', 'repository'],
        ['aws_ecr_lifecycle_policy', 'lifecycle'],
      ].map(([type, id]) => `${type}.${this.logicalIdOf(id)}`);
      return;
    }

    this.repository = new EcrRepository(this, 'repository', {
      name: props.repositoryName,
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [{ encryptionType: 'KMS' }],
      forceDelete: props.forceDelete ?? false,
    });
    new EcrLifecyclePolicy(this, 'lifecycle', { repository: this.repository.name, policy: keepLastImagesPolicy(props.keepImages ?? 20) });

    const provider = props.dockerProvider ?? this.newDockerProvider(this.repository);
    this.dockerProvider = provider;

    const context = resolve(props.source.directory);
    this.sourceHash = sourceHash(context);
    // The platform is part of the tag and the triggers: the same sources for Graviton are another image.
    const { platform } = props.source;
    const triggers = { source_hash: this.sourceHash, platform };
    this.image = new Image(this, 'image', {
      provider,
      name: `${this.repository.repositoryUrl}:${imageTag(this.sourceHash, platform)}`,
      buildAttribute: { context, dockerfile: 'Dockerfile', platform: props.source.platform },
      triggers,
      keepLocally: true,
    });
    this.registryImage = new RegistryImage(this, 'push', {
      provider,
      name: this.image.name,
      keepRemotely: true,
      triggers,
    });
    this.imageUri = `${this.repository.repositoryUrl}@${this.registryImage.sha256Digest}`;
  }

  /** The logical id a child of this construct with `id` gets (cdktf's HashedAddressingScheme). */
  private logicalIdOf(id: string): string {
    const scopes = this.node.scopes;
    const below = scopes.slice(scopes.indexOf(TerraformStack.of(this)) + 1).map((c) => c.node.id);
    return makeUniqueId([...below, id]);
  }

  /** One provider per stack: ECR repositories of an account and region share its registry host. */
  private newDockerProvider(repository: EcrRepository): DockerProvider {
    const token = new DataAwsEcrAuthorizationToken(this, 'ecr-token', { registryId: repository.registryId });
    return new DockerProvider(this, 'docker', {
      registryAuth: [
        {
          // The registry host, not the repository URL: docker matches credentials by host.
          address: Fn.replace(token.proxyEndpoint, 'https://', ''),
          username: token.userName,
          password: token.password,
        },
      ],
    });
  }
}

/** `src-<first 20 of the source hash>-<architecture>`, e.g. `src-3f1c…-amd64`: the same tag in every pipeline and on every laptop. */
export function imageTag(sourceHash: string, platform: string): string {
  return `src-${sourceHash.slice(0, 20)}-${platform.split('/').pop()}`;
}

/** ECR lifecycle policy JSON: expire all but the last `count` images. */
export function keepLastImagesPolicy(count: number): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: `Keep the last ${count} images`,
        selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: count },
        action: { type: 'expire' },
      },
    ],
  });
}
