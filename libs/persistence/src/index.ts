export * from './provisioning.js';
export * from './tenancy.js';
