import { Construct } from 'constructs';
import { Fn, TerraformStack } from 'cdktf';
// cdktf's own logical-id algorithm: the addresses the build path would have are computed, not retyped.
import { makeUniqueId } from 'cdktf/lib/private/unique';
import { resolve } from 'node:path';
import { DataAwsEcrAuthorizationToken } from '@cdktf/provider-aws/lib/data-aws-ecr-authorization-token';
import { DataAwsEcrRepository } from '@cdktf/provider-aws/lib/data-aws-ecr-repository';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { Image } from '@cdktf/provider-docker/lib/image';
import { RegistryImage } from '@cdktf/provider-docker/lib/registry-image';
import { sourceHash } from './source-hash';

/** Build a directory with the docker provider and push it to an existing ECR repository (the registry stack's). */
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
  /** Name of the ECR repository to push to, when building; host-name-registry owns it. */
  readonly repositoryName: string;
  readonly source: BuildImageSource | UriImageSource;
  /**
   * The docker provider to build with, when another image of the stack already made one (a stack
   * has one unaliased docker provider). @default its own, authenticated to this repository's registry
   */
  readonly dockerProvider?: DockerProvider;
}

/**
 * The image the service runs: either built from source and pushed to ECR (tagged with a content
 * hash of the source, referenced by digest), or an existing URI, with no docker provider at all.
 * Never the repository itself: ECR names are unique per registry, so one stack (host-name-registry)
 * owns every repository, whichever path builds the image; this one looks it up by name.
 */
export class ContainerImage extends Construct {
  /** What the task definition references: `repo@sha256:…` when built here, else the given URI. */
  public readonly imageUri: string;
  /** The repository pushed to; set when building. */
  public readonly repository?: DataAwsEcrRepository;
  /** Content hash of the build context; set when building. */
  public readonly sourceHash?: string;
  public readonly image?: Image;
  public readonly registryImage?: RegistryImage;
  /** The provider that builds and pushes; pass it to the stack's other built images. Set when building. */
  public readonly dockerProvider?: DockerProvider;
  /**
   * The addresses of the ECR repository and lifecycle policy older code created here, for `removed`
   * blocks that forget them (never delete them): the registry stack adopts the repository.
   */
  public readonly formerBuildResources: readonly string[];

  constructor(scope: Construct, id: string, props: ContainerImageProps) {
    super(scope, id);
    this.formerBuildResources = FORMER_BUILD_RESOURCES.map(([type, id]) => `${type}.${this.logicalIdOf(id)}`);
    if (props.source.kind === 'uri') {
      this.imageUri = props.source.uri;
      return;
    }

    this.repository = new DataAwsEcrRepository(this, 'repository', { name: props.repositoryName });

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
  private newDockerProvider(repository: DataAwsEcrRepository): DockerProvider {
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

/** What the build path created below a ContainerImage before the registry stack owned repositories: [type, construct id]. */
export const FORMER_BUILD_RESOURCES = [
  ['aws_ecr_repository', 'repository'],
  ['aws_ecr_lifecycle_policy', 'lifecycle'],
] as const;

/** `src-<first 20 of the source hash>-<architecture>`, e.g. `src-3f1c…-amd64`: the same tag in every pipeline and on every laptop. */
export function imageTag(sourceHash: string, platform: string): string {
  return `src-${sourceHash.slice(0, 20)}-${platform.split('/').pop()}`;
}

/**
 * ECR lifecycle policy JSON: expire untagged images `days` after their push, never a tagged one.
 * Every image the pipeline or the docker provider pushes is tagged `src-<hash>-<arch>` and tags are
 * immutable, so a digest an environment runs keeps its tag; a count rule over tagged images would
 * expire the one prod runs once it lags that many builds behind.
 */
export function untaggedImagesPolicy(days: number): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: `Expire untagged images ${days} days after push`,
        selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: days },
        action: { type: 'expire' },
      },
    ],
  });
}
