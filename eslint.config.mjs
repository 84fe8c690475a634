// typescript-eslint's recommended rules over the TypeScript sources (flat config). Not type-aware:
// the recommended set needs no type information, and a type-aware run over every file would cost
// more than the whole build. Formatting is Prettier's (npm run format:check), not ESLint's.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/', 'console/dist/', 'node_modules/', 'bench/results/', 'packages/corsgate/forward/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // `_name` marks a parameter kept for its position (a handler's signature), as TypeScript reads it.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // prom-client calls a metric's collect() with `this` bound to the metric: the owner is `self`.
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['self'] }],
    },
  },
  { files: ['console/src/**'], languageOptions: { globals: { ...globals.browser } } },
  // Tests read JSON answers of every shape; `any` there is the test's own business.
  { files: ['test/**', 'bench/**'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
);
