import type { Infrastructure } from './infrastructure.js';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __accantoInfrastructure?: Infrastructure }).__accantoInfrastructure?.stop();
}
