export * from './infrastructure.js';
export * from './eventually.js';
export * from './event-collector.js';
export * from './app-process.js';
export * from './tokens.js';
export * from './test-app.js';
export * from './openapi.js';
export * from './bad-input-sweep.js';
