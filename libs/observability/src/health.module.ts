import {
  Controller,
  type DynamicModule,
  Get,
  Header,
  Inject,
  Logger,
  Module,
  type ModuleMetadata,
  Res,
  type Type,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiOperation } from '@nestjs/swagger';
import { Public } from '#auth';
import { readCounters, runHealthChecks, type HealthChecks, type HealthCounters } from './health.checks.js';

/** What readiness runs: the checks that decide it, and counters it reports without being decided by them. */
export type HealthSetup = { checks: HealthChecks; counters?: HealthCounters };

export type HealthModuleOptions = HealthSetup & {
  /** The app's path prefix, e.g. `people`: routes are `/<prefix>/health/live` and `/<prefix>/health/ready`. */
  prefix: string;
  /** Per check; below the orchestrator's probe timeout. */
  timeoutMs?: number;
};

export type HealthModuleAsyncOptions = Pick<ModuleMetadata, 'imports'> & {
  prefix: string;
  timeoutMs?: number;
  /** Builds the checks and counters from injected providers (the ORM, the NATS connection). */
  useFactory: (...dependencies: never[]) => HealthSetup | Promise<HealthSetup>;
  inject?: (string | symbol | Type)[];
};

const HEALTH_SETUP = Symbol('HEALTH_SETUP');
const defaultTimeoutMs = 2_000;

// Public in the API document too (the document asks for a token everywhere else): clients and
// audits read from it which routes answer without one.
const noToken = { security: [] };

// The route prefix is only known at forRoot time, and @Controller takes its path at class
// definition: hence a class per call.
function healthController(prefix: string, timeoutMs: number): Type {
  const path = `${prefix.replace(/^\/+|\/+$/g, '')}/health`;

  // Orchestrators and load balancers call these without a token.
  @Public()
  @Controller(path)
  class HealthController {
    private readonly logger = new Logger('Health');

    constructor(@Inject(HEALTH_SETUP) private readonly setup: HealthSetup) {}

    /** The process is up and serving HTTP; says nothing about its dependencies. */
    @Get('live')
    @ApiOperation(noToken)
    @Header('cache-control', 'no-store')
    live() {
      return { status: 'ok' };
    }

    /** Every dependency answered within the timeout; otherwise 503 problem+json naming those that did not. */
    @Get('ready')
    @ApiOperation(noToken)
    @Header('cache-control', 'no-store')
    async ready(@Res({ passthrough: true }) reply: FastifyReply) {
      const [report, counters] = await Promise.all([
        runHealthChecks(this.setup.checks, timeoutMs),
        this.setup.counters ? readCounters(this.setup.counters, timeoutMs) : undefined,
      ]);
      if (report.ready) return { status: 'ok', checks: report.checks, ...(counters ? { counters } : {}) };
      for (const [name, error] of Object.entries(report.errors)) {
        this.logger.warn({ check: name, err: error }, 'readiness check failed');
      }
      const failed = Object.entries(report.checks).filter(([, outcome]) => outcome !== 'ok');
      void reply.status(503).header('content-type', 'application/problem+json');
      return {
        type: 'about:blank',
        title: 'Service Unavailable',
        status: 503,
        detail: `Not ready: ${failed.map(([name, outcome]) => `${name} ${outcome}`).join(', ')}.`,
        instance: `/${path}/ready`,
        checks: report.checks,
        ...(counters ? { counters } : {}),
      };
    }
  }
  return HealthController;
}

/** `/<prefix>/health/live` and `/<prefix>/health/ready`, public, as every app serves them (api.md). */
@Module({})
export class HealthModule {
  static forRoot({
    prefix,
    checks,
    counters,
    timeoutMs = defaultTimeoutMs,
  }: HealthModuleOptions): DynamicModule {
    return {
      module: HealthModule,
      controllers: [healthController(prefix, timeoutMs)],
      providers: [{ provide: HEALTH_SETUP, useValue: { checks, counters } }],
    };
  }

  static forRootAsync({
    prefix,
    imports,
    useFactory,
    inject,
    timeoutMs = defaultTimeoutMs,
  }: HealthModuleAsyncOptions): DynamicModule {
    return {
      module: HealthModule,
      imports,
      controllers: [healthController(prefix, timeoutMs)],
      providers: [{ provide: HEALTH_SETUP, useFactory, inject }],
    };
  }
}
