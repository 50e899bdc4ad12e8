export * from './token-verifier.js';
export * from './actor-resolver.js';
export * from './public.decorator.js';
export * from './roles.decorator.js';
export * from './actor.decorator.js';
export * from './auth.guard.js';
export * from './auth.module.js';
export * from './client-limits.js';
