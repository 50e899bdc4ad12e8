import 'reflect-metadata';
import { createOutingsApp } from './app.js';
import { loadConfig } from './config.js';

// OpenTelemetry starts before this file: `node --import .../observability/src/register.js`.
const config = loadConfig();
const app = await createOutingsApp(config);
await app.listen(config.port, config.host);
