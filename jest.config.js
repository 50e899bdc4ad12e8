// Native ESM jest (NestJS 12 and MikroORM 7 ship only ES modules); see docs/stack.md.
const swc = [
  '@swc/jest',
  {
    swcrc: false,
    jsc: {
      target: 'es2024',
      parser: { syntax: 'typescript', decorators: true },
      // Nest needs decorator metadata to inject constructor dependencies.
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
    },
    module: { type: 'es6' },
  },
];
const libs = [
  'contracts',
  'messaging',
  'auth',
  'http',
  'persistence',
  'observability',
  'dev-identity',
  'testing',
  'config',
];
const shared = {
  rootDir: import.meta.dirname,
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    ...Object.fromEntries(libs.map((lib) => [`^#${lib}$`, `<rootDir>/libs/${lib}/src/index.ts`])),
    // One file of a lib (`#messaging/relay-process`), for processes that need only that part.
    ...Object.fromEntries(
      ['messaging', 'observability', 'persistence'].map((lib) => [
        `^#${lib}/(.*)$`,
        `<rootDir>/libs/${lib}/src/$1`,
      ]),
    ),
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.tools/'],
};
// Real PostgreSQL and NATS for the integration and end-to-end tiers.
const infrastructure = {
  globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
  globalTeardown: '<rootDir>/libs/testing/src/global-teardown.ts',
};
export default {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,scripts}/**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'int',
      testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts'],
      ...infrastructure,
    },
    { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'], ...infrastructure },
  ],
};
