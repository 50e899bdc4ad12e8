import 'reflect-metadata';
import { createPeopleApp } from './app.js';
import { loadConfig } from './config.js';

// OpenTelemetry starts before this file: `node --import .../observability/src/register.js`.
const config = loadConfig();
const app = await createPeopleApp(config);
await app.listen(config.port, config.host);
