export * from './provisioning.js';
export * from './tenancy.js';
export * from './native-query.js';
export * from './migrate.js';
