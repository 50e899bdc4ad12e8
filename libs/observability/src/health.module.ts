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
import { type HealthChecks, runHealthChecks } from './health.checks.js';

export type HealthModuleOptions = {
  /** The app's path prefix, e.g. `people`: routes are `/<prefix>/health/live` and `/<prefix>/health/ready`. */
  prefix: string;
  checks: HealthChecks;
  /** Per check; below the orchestrator's probe timeout. */
  timeoutMs?: number;
};

export type HealthModuleAsyncOptions = Pick<ModuleMetadata, 'imports'> & {
  prefix: string;
  timeoutMs?: number;
  /** Builds the checks from injected providers (the ORM, the NATS connection). */
  useFactory: (...dependencies: never[]) => HealthChecks | Promise<HealthChecks>;
  inject?: (string | symbol | Type)[];
};

const HEALTH_CHECKS = Symbol('HEALTH_CHECKS');
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

    constructor(@Inject(HEALTH_CHECKS) private readonly checks: HealthChecks) {}

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
      const report = await runHealthChecks(this.checks, timeoutMs);
      if (report.ready) return { status: 'ok', checks: report.checks };
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
      };
    }
  }
  return HealthController;
}

/** `/<prefix>/health/live` and `/<prefix>/health/ready`, public, as every app serves them (api.md). */
@Module({})
export class HealthModule {
  static forRoot({ prefix, checks, timeoutMs = defaultTimeoutMs }: HealthModuleOptions): DynamicModule {
    return {
      module: HealthModule,
      controllers: [healthController(prefix, timeoutMs)],
      providers: [{ provide: HEALTH_CHECKS, useValue: checks }],
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
      providers: [{ provide: HEALTH_CHECKS, useFactory, inject }],
    };
  }
}
