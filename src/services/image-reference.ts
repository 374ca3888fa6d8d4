/**
 * Image references as the Docker engine on the instances reads them, written out in full: a Docker Hub
 * name gets its registry (`docker.io`) and an official image its `library/` namespace, so the task
 * definition names exactly what the agent pulls, and the production rule can see the registry.
 */
import { Validator } from '../shared/validator';

export interface ImageReference {
  /** Registry host, with its port if it has one: `docker.io`, `public.ecr.aws`, `ghcr.io`, an ECR registry. */
  readonly registry: string;
  /** Repository path in the registry, e.g. `library/nginx`. */
  readonly repository: string;
  /** Exactly one of `tag` and `digest`. */
  readonly tag?: string;
  readonly digest?: string;
  /** `registry/repository:tag` or `registry/repository@sha256:<hex>`. */
  readonly uri: string;
}

/** What `image.uri` accepts, for error messages. */
export const IMAGE_REFERENCE_FORMS =
  '[registry/]repository:tag or [registry/]repository@sha256:<digest>, e.g. nginx:1.27 or ghcr.io/org/app:1';

// The grammar of github.com/distribution/reference, lowercase hosts only.
const HOST_COMPONENT = '[a-z0-9](?:[a-z0-9-]*[a-z0-9])?';
const HOST = new RegExp(`^${HOST_COMPONENT}(?:\\.${HOST_COMPONENT})*(?::[0-9]{1,5})?$`);
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const PATH = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
/** Docker's limit on registry + repository. */
const NAME_MAX = 255;

const DOCKER_HUB = 'docker.io';

/**
 * Parses and normalizes a reference: `nginx:1.27` -> `docker.io/library/nginx:1.27`, `bitnami/nginx:1` ->
 * `docker.io/bitnami/nginx:1`, `index.docker.io/...` -> `docker.io/...`; any other registry as given.
 * Undefined for anything Docker would not pull, and for a reference with no tag or digest, or both
 * (an implicit `latest` moves under a running service).
 */
export function parseImageReference(reference: string): ImageReference | undefined {
  if (typeof reference !== 'string') return undefined;
  const at = reference.indexOf('@');
  const digest = at >= 0 ? reference.slice(at + 1) : undefined;
  let name = at >= 0 ? reference.slice(0, at) : reference;
  if (digest !== undefined && !DIGEST.test(digest)) return undefined;

  // A tag is a colon after the last slash (a colon before it is the registry's port).
  const colon = name.lastIndexOf(':');
  let tag: string | undefined;
  if (colon > name.lastIndexOf('/')) {
    tag = name.slice(colon + 1);
    name = name.slice(0, colon);
    if (!TAG.test(tag)) return undefined;
  }
  if ((tag === undefined) === (digest === undefined)) return undefined;

  // Docker's rule: the first component is a registry only if it has a dot or a port, or is localhost.
  const slash = name.indexOf('/');
  const first = slash >= 0 ? name.slice(0, slash) : '';
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  let registry = hasRegistry ? first : DOCKER_HUB;
  let repository = hasRegistry ? name.slice(slash + 1) : name;
  if (registry === 'index.docker.io') registry = DOCKER_HUB;
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;

  if (!HOST.test(registry) || !PATH.test(repository) || registry.length + 1 + repository.length > NAME_MAX) return undefined;
  const uri = `${registry}/${repository}${tag !== undefined ? `:${tag}` : `@${digest}`}`;
  return { registry, repository, ...(tag !== undefined ? { tag } : { digest }), uri };
}

/** A private ECR registry (`<account>.dkr.ecr.<region>.amazonaws.com`), where pull-through cache rules mirror public images. */
export const PRIVATE_ECR_REGISTRY = /^[0-9]{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

/**
 * Production runs no public tag, which can move between two pulls and is rate-limited at a scale-out:
 * an image is pinned by digest (the same bytes at every pull), or comes from the account's own ECR (the
 * registry stack's tag-immutable repositories, or a pull-through cache rule's mirror of a public registry).
 */
export const PRODUCTION_IMAGE = 'in production: a @sha256 digest, or private ECR (a pull-through cache mirrors public registries)';

export function checkProductionImage(v: Validator, service: string, uri: string): void {
  const ref = parseImageReference(uri);
  v.check(
    `services.${service}.image.uri`,
    uri,
    ref !== undefined && (ref.digest !== undefined || PRIVATE_ECR_REGISTRY.test(ref.registry)),
    PRODUCTION_IMAGE,
  );
}
