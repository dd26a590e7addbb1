// ESLint: typescript-eslint, plus the layering rule of DESIGN.md (src/ never imports electron, main/ or renderer/).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '*.js', '*.mjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'src/ is plain Node: it never imports electron (DESIGN.md).' }],
        patterns: [
          { group: ['electron/*'], message: 'src/ is plain Node: it never imports electron (DESIGN.md).' },
          { group: ['**/main/**', '**/renderer/**', '../main', '../renderer', '../../main', '../../renderer', '../../../main', '../../../renderer'], message: 'src/ never imports main/ or renderer/ (DESIGN.md).' },
        ],
      }],
    },
  },
  {
    files: ['src/cli/**/*.ts', 'bench/**/*.ts', 'test/**/*.ts', '**/*.test.ts'],
    rules: { 'no-console': 'off' },
  },
);
