/**
 * The architecture's import rules, checked by `npm run lint` (dependency-cruiser). See
 * docs/architecture.md for the layout they protect.
 */
export default {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'Modules import each other in one direction only.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'run-time-not-training',
      severity: 'error',
      comment:
        'Run-time code (detection, features, surfaces) never imports training code; only the train command does, lazily.',
      from: { path: '^src/', pathNot: ['^src/train/', '^src/cli/actions/train\\.ts$'] },
      to: { path: '^src/train/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'detect-not-train',
      severity: 'error',
      comment:
        'The detector runs what training wrote; it never imports training code, types included.',
      from: { path: '^src/detect/' },
      to: { path: '^src/train/' },
    },
    {
      name: 'features-below-detect',
      severity: 'error',
      comment: 'Features are what the models read: detect/ calls down into features/, never back.',
      from: { path: '^src/features/' },
      to: { path: '^src/detect/' },
    },
    {
      name: 'tensorflow-only-for-neural-training',
      severity: 'error',
      comment:
        'TensorFlow.js is loaded only by the modules that train neural networks: the fast path and the run-time kernels never load it.',
      from: { path: '^src/', pathNot: '^src/train/neural/' },
      to: { path: '@tensorflow/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
