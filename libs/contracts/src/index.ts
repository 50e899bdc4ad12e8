export * from './envelope.js';
export * from './people.events.js';
export * from './outings.events.js';
export * from './catalog.js';
export * from './asyncapi.js';
