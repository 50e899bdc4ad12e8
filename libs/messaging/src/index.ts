export * from './chain.js';
export * from './schema.js';
export * from './streams.js';
export * from './trace-context.js';
export * from './event-log.js';
export * from './relay.js';
export * from './consumer.js';
export * from './messaging.module.js';
