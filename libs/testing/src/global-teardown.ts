import type { Infrastructure } from './infrastructure.ts';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __accantoInfrastructure?: Infrastructure }).__accantoInfrastructure?.stop();
}
