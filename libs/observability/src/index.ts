export * from './logger.js';
export * from './nest-pino.logger.js';
export * from './request-logging.hook.js';
export * from './tracing.interceptor.js';
export * from './span-redaction.processor.js';
export * from './health.checks.js';
export * from './health.module.js';
