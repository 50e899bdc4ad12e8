export * from './problem.js';
export * from './problem.filter.js';
export * from './validation.js';
export * from './validation.interceptor.js';
export * from './etag.js';
export * from './pagination.js';
export * from './http-app.js';
export * from './load-shedding.js';
