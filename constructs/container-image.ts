import { Construct } from 'constructs';
import { Fn } from 'cdktf';
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

  constructor(scope: Construct, id: string, props: ContainerImageProps) {
    super(scope, id);
    if (props.source.kind === 'uri') {
      this.imageUri = props.source.uri;
      return;
    }

    this.repository = new EcrRepository(this, 'repository', {
      name: props.repositoryName,
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [{ encryptionType: 'KMS' }],
      forceDelete: props.forceDelete ?? false,
    });
    new EcrLifecyclePolicy(this, 'lifecycle', {
      repository: this.repository.name,
      policy: JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            description: `Keep the last ${props.keepImages ?? 20} images`,
            selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: props.keepImages ?? 20 },
            action: { type: 'expire' },
          },
        ],
      }),
    });

    const provider = props.dockerProvider ?? this.newDockerProvider(this.repository);
    this.dockerProvider = provider;

    const context = resolve(props.source.directory);
    this.sourceHash = sourceHash(context);
    const triggers = { source_hash: this.sourceHash };
    this.image = new Image(this, 'image', {
      provider,
      name: `${this.repository.repositoryUrl}:src-${this.sourceHash.slice(0, 20)}`,
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
