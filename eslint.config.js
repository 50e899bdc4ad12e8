import js from '@eslint/js';
import { dirname, relative, resolve, sep } from 'node:path';
import tseslint from 'typescript-eslint';

// Apps are bounded contexts: they share only libs/ and talk through HTTP and events.
// An import that resolves into another app fails the build (style.md rule 3).
const noCrossAppImports = {
  meta: { type: 'problem', messages: { crossApp: "'{{app}}' may not import from app '{{other}}'" } },
  create(context) {
    const root = import.meta.dirname;
    const appOf = (file) => {
      const parts = relative(root, file).split(sep);
      return parts[0] === 'apps' ? parts[1] : undefined;
    };
    const app = appOf(context.filename);
    const check = (node) => {
      const source = node.source?.value;
      if (!app || typeof source !== 'string') return;
      const target = source.startsWith('.')
        ? resolve(dirname(context.filename), source)
        : resolve(root, source);
      const other = appOf(target);
      if (other && other !== app) context.report({ node, messageId: 'crossApp', data: { app, other } });
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      '.tools/',
      '.data/',
      'coverage/',
      'apps/*/src/migrations/*.snapshot*',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { accanto: { rules: { 'no-cross-app-imports': noCrossAppImports } } },
    rules: {
      'accanto/no-cross-app-imports': 'error',
      '@typescript-eslint/consistent-type-definitions': ['error', 'type'],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Named exports only (style.md rule 15).' },
        {
          selector: 'TSEnumDeclaration',
          message: 'Use string-literal unions, not enums (style.md rule 15).',
        },
      ],
    },
  },
  {
    // Tooling entry points that frameworks load by default export.
    files: ['*.config.js', 'libs/testing/src/global-*.ts', 'apps/*/src/mikro-orm.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
