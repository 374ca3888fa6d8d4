// ESLint: typescript-eslint's recommended rules, and the direction imports may point in.
import tseslint from 'typescript-eslint';

/**
 * The areas from the top down: a file may import its own area and any area below it, never one
 * above (app -> environment -> services -> compute -> network, edge, operations -> shared).
 * The three bottom resource areas are peers and do not import each other.
 */
const LAYERS = [
  { area: 'environment', files: ['src/environment/**', 'src/environments.ts', 'src/bootstrap/**'], above: ['app'] },
  { area: 'services', files: ['src/services/**'], above: ['app', 'environment', 'environments', 'bootstrap'] },
  { area: 'compute', files: ['src/compute/**'], above: ['app', 'environment', 'environments', 'bootstrap', 'services'] },
  ...['network', 'edge', 'operations'].map((area) => ({
    area,
    files: [`src/${area}/**`],
    above: [
      'app',
      'environment',
      'environments',
      'bootstrap',
      'services',
      'compute',
      ...['network', 'edge', 'operations'].filter((a) => a !== area),
    ],
  })),
  {
    area: 'shared',
    files: ['src/shared/**'],
    above: ['app', 'environment', 'environments', 'bootstrap', 'services', 'compute', 'network', 'edge', 'operations'],
  },
];

const importDirection = LAYERS.map(({ area, files, above }) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: above.map((up) => ({
          group: [`../${up}`, `../${up}/*`, `../../${up}`, `../../${up}/*`, `./${up}`],
          message: `${area} may not import ${up}: imports point down (app -> environment -> services -> compute -> network, edge, operations -> shared).`,
        })),
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdktf.out/**', 'workload/**', 'harness/.work/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  // Destructuring to leave fields out is how a copy without them is made.
  { rules: { '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }] } },
  // Tests, tools and the harness read synthesized JSON and AWS answers: untyped data by nature.
  { files: ['__tests__/**', 'tools/**', 'harness/**', 'bench/**'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  ...importDirection,
);
