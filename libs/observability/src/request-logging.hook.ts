import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';

type LoggedRequest = FastifyRequest & { actor?: { organisation?: unknown } };

/** The fields of one request log line: no URL, no query string, no body, no user id. */
export function requestLogFields(request: LoggedRequest, reply: FastifyReply): Record<string, unknown> {
  const organisation = request.actor?.organisation;
  return {
    method: request.method,
    // The route pattern (`/people/persons/:id`), never the URL: ids and `?q=<name>` stay out of logs.
    route: request.routeOptions?.url ?? null,
    status: reply.statusCode,
    durationMs: Math.round(reply.elapsedTime),
    ...(typeof organisation === 'string' ? { organisation } : {}),
  };
}

/** Logs one line per finished request: method, route, status, duration, acting organisation. */
export function logRequests(fastify: FastifyInstance, logger: Logger): void {
  fastify.addHook('onResponse', async (request: LoggedRequest, reply) => {
    const fields = requestLogFields(request, reply);
    // 503 is the app refusing work while overloaded (libs/http load shedding), not a failure.
    if (reply.statusCode === 503) logger.warn(fields, 'request refused');
    else if (reply.statusCode >= 500) logger.error(fields, 'request failed');
    // Probes come every few seconds from every orchestrator: keep them out of the normal level.
    else if (/\/health\/(live|ready)$/.test(String(fields.route))) logger.debug(fields, 'request');
    else logger.info(fields, 'request');
  });
}
