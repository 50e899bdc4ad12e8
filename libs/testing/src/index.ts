export * from './infrastructure.js';
export * from './eventually.js';
