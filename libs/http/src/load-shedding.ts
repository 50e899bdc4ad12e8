import { getHeapStatistics } from 'node:v8';
import underPressure from '@fastify/under-pressure';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { problemType, type Problem } from './problem.js';

export type LoadSheddingOptions = {
  /**
   * Requests being worked on at once, beyond which new ones are refused. Requests the database
   * cannot take yet wait in the app, each holding its socket, body, context and unit of work
   * (about 60 KB): under a sustained overload they fill the heap until the process dies (measured:
   * an open loop of 260 req/s against one people app held 1,427 requests and killed it in seconds).
   * 128 is under 0.6 s of work at the people app's maximum rate on two shared cores (235–340 req/s):
   * a request that would wait longer is better refused at once. 4 times the bench's busiest closed loop.
   */
  maxRequestsInFlight?: number;
  /**
   * Refuse while the V8 heap in use is above this share of its limit: the backstop for the rest.
   * Not the event loop's delay, which under-pressure also offers: starting the app or one long GC
   * makes it refuse everything for a sample's time, with nothing wrong.
   */
  maxHeapUsedFraction?: number;
  /** How often the heap is sampled (ms). */
  sampleIntervalMs?: number;
  /** What a refused client is told to wait (s). */
  retryAfterSeconds?: number;
};

const defaults: Required<LoadSheddingOptions> = {
  maxRequestsInFlight: 128,
  maxHeapUsedFraction: 0.8,
  sampleIntervalMs: 250,
  retryAfterSeconds: 2,
};

/**
 * An overloaded app answers 503 problem+json with Retry-After instead of queueing without bound,
 * before the request is parsed or authenticated, so a refusal costs next to nothing. Liveness
 * still answers (the process is alive: restarting it would only lose the work in progress);
 * readiness is refused like everything else, which is what tells a load balancer to send less.
 */
export async function shedLoad(
  app: NestFastifyApplication,
  options: LoadSheddingOptions = {},
): Promise<void> {
  // Field by field: an option given as undefined (an unset variable) keeps its default.
  const settings = {
    maxRequestsInFlight: options.maxRequestsInFlight ?? defaults.maxRequestsInFlight,
    maxHeapUsedFraction: options.maxHeapUsedFraction ?? defaults.maxHeapUsedFraction,
    sampleIntervalMs: options.sampleIntervalMs ?? defaults.sampleIntervalMs,
    retryAfterSeconds: options.retryAfterSeconds ?? defaults.retryAfterSeconds,
  };
  const isLiveness = (request: FastifyRequest) => request.routeOptions.url?.endsWith('/health/live') === true;
  const refuse = (request: FastifyRequest, reply: FastifyReply) => {
    const problem: Problem = {
      type: problemType('overloaded'),
      title: 'Service unavailable',
      status: 503,
      detail: `Too busy to take this request now: retry in ${settings.retryAfterSeconds} s.`,
      instance: request.routeOptions.url ?? request.url.split('?')[0],
    };
    // The connection stays open (Node reads the unread body off the wire): closing it made every
    // retry a new connection, and under overload clients then failed to connect (bench (g)).
    void reply
      .status(503)
      .header('Retry-After', String(settings.retryAfterSeconds))
      .type('application/problem+json')
      .send(problem);
  };

  // No library bounds concurrency in Fastify; this is the whole of it. 'close' comes once per
  // response, sent or cut off by the client, so the count cannot leak.
  let inFlight = 0;
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) => {
      if (inFlight >= settings.maxRequestsInFlight && !isLiveness(request)) return refuse(request, reply);
      inFlight += 1;
      reply.raw.once('close', () => (inFlight -= 1));
      done();
    });

  await app.register(underPressure, {
    maxHeapUsedBytes: Math.floor(getHeapStatistics().heap_size_limit * settings.maxHeapUsedFraction),
    sampleInterval: settings.sampleIntervalMs,
    // Not sending makes under-pressure handle the request as usual.
    pressureHandler: (request, reply) => (isLiveness(request) ? undefined : refuse(request, reply)),
  });
}
