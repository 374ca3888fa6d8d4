import { checkProductionImage, parseImageReference, PRODUCTION_IMAGE } from '../src/services/image-reference';
import { ConfigError, Validator } from '../src/shared/validator';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
const ECR = '123456789012.dkr.ecr.us-east-1.amazonaws.com';

describe('parseImageReference: what the engine pulls, written out in full', () => {
  test.each([
    ['nginx:1.27', 'docker.io/library/nginx:1.27'],
    ['bitnami/nginx:1', 'docker.io/bitnami/nginx:1'],
    ['docker.io/nginx:1.27', 'docker.io/library/nginx:1.27'],
    ['index.docker.io/library/nginx:1.27', 'docker.io/library/nginx:1.27'],
    ['docker.io/library/nginx:1.27', 'docker.io/library/nginx:1.27'],
    [`nginx@${DIGEST}`, `docker.io/library/nginx@${DIGEST}`],
    ['public.ecr.aws/nginx/nginx:1.27-alpine', 'public.ecr.aws/nginx/nginx:1.27-alpine'],
    ['ghcr.io/owner/app/web:v2.0.1', 'ghcr.io/owner/app/web:v2.0.1'],
    [`${ECR}/users:1.0.0`, `${ECR}/users:1.0.0`],
    [`${ECR}/docker-hub/library/nginx:1.27`, `${ECR}/docker-hub/library/nginx:1.27`],
    ['localhost:5000/app:dev', 'localhost:5000/app:dev'],
    ['localhost/app:dev', 'localhost/app:dev'],
    ['registry.example.com:8443/team/app_name:1', 'registry.example.com:8443/team/app_name:1'],
    ['my-org/my__app:latest', 'docker.io/my-org/my__app:latest'],
  ])('%s -> %s', (given, uri) => {
    expect(parseImageReference(given)?.uri).toBe(uri);
  });

  test('the parts: registry, repository, and the tag or the digest', () => {
    expect(parseImageReference('nginx:1.27')).toEqual({
      registry: 'docker.io',
      repository: 'library/nginx',
      tag: '1.27',
      uri: 'docker.io/library/nginx:1.27',
    });
    expect(parseImageReference(`ghcr.io/o/a@${DIGEST}`)).toEqual({
      registry: 'ghcr.io',
      repository: 'o/a',
      digest: DIGEST,
      uri: `ghcr.io/o/a@${DIGEST}`,
    });
  });

  test.each([
    ['nginx', 'no tag: an implicit latest moves under a running service'],
    ['ghcr.io/owner/app', 'no tag'],
    [`nginx:1.27@${DIGEST}`, 'both a tag and a digest'],
    ['nginx:', 'empty tag'],
    [':1.27', 'no name'],
    ['nginx:-1', 'a tag starting with "-"'],
    [`nginx:${'a'.repeat(129)}`, 'a tag of 129 characters'],
    ['nginx@sha256:abc', 'a short digest'],
    [`nginx@sha512:${'a'.repeat(128)}`, 'another digest algorithm'],
    [`nginx@SHA256:${'a'.repeat(64)}`, 'an uppercase algorithm'],
    ['NGINX:1', 'an uppercase repository'],
    ['ghcr.io/Owner/app:1', 'an uppercase path component'],
    ['Registry.example.com/app:1', 'an uppercase registry'],
    ['https://ghcr.io/owner/app:1', 'a URL scheme'],
    ['ghcr.io//app:1', 'an empty path component'],
    ['ghcr.io/app/:1', 'a trailing slash'],
    ['ghcr.io/-app:1', 'a component starting with "-"'],
    ['ghcr.io/app..x:1', 'two dots in a component'],
    ['-registry.io/app:1', 'a registry starting with "-"'],
    ['registry.io:port/app:1', 'a port that is no number'],
    ['nginx 1.27', 'a space'],
    ['', 'empty'],
    [`r.io/${'a'.repeat(251)}:1`, 'a name over 255 characters'],
  ])('%s is refused (%s)', (given) => {
    expect(parseImageReference(given)).toBeUndefined();
  });

  test('a name of exactly 255 characters is accepted', () => {
    expect(parseImageReference(`r.io/${'a'.repeat(250)}:1`)).toBeDefined();
  });
});

describe("checkProductionImage: a digest, or the account's own ECR", () => {
  const check = (uri: string) => () => checkProductionImage(new Validator('prod'), 'web', uri);

  test.each([
    `docker.io/library/nginx@${DIGEST}`,
    `${ECR}/docker-hub/library/nginx:1.27`,
    `${ECR}/host-name@${DIGEST}`,
    `${ECR}/users:1.0.0`,
  ])('%s is allowed', (uri) => expect(check(uri)).not.toThrow());

  test.each([
    'docker.io/library/nginx:1.27',
    'public.ecr.aws/nginx/nginx:1.27',
    'ghcr.io/owner/app:v2',
    '123456789012.dkr.ecr.example.com/x:1',
  ])('%s is refused with one line naming field, value and what is allowed', (uri) => {
    expect(check(uri)).toThrow(new ConfigError('prod', 'services.web.image.uri', uri, PRODUCTION_IMAGE));
  });
});
