import proxy from '@fastify/http-proxy';
import Fastify, { type FastifyInstance } from 'fastify';

export type GatewayRoute = {
  /** Path prefix, e.g. `/people`; forwarded unchanged (the apps serve under their own prefix). */
  prefix: string;
  upstream: string;
  /**
   * Forward the client's Host header instead of the upstream's. The development identity provider
   * builds the endpoint URLs of its discovery document from it, so they point back at the gateway.
   * Keycloak instead gets its own host, so it keeps issuing tokens for its own issuer URL.
   */
  keepHost?: boolean;
};

export type GatewayOptions = {
  host: string;
  port: number;
  routes: GatewayRoute[];
  /** Answered at `/`. */
  index: unknown;
};

/** The one entry port of `npm start`: routes by path prefix, like the ingress does in a cluster. */
export async function startGateway(options: GatewayOptions): Promise<FastifyInstance> {
  const gateway = Fastify({ logger: false, trustProxy: true });
  gateway.get('/', async () => options.index);
  for (const route of options.routes) {
    await gateway.register(proxy, {
      upstream: route.upstream,
      prefix: route.prefix,
      rewritePrefix: route.prefix,
      // Paths are forwarded unchanged, so a Location header needs no rewriting either.
      internalRewriteLocationHeader: false,
      replyOptions: route.keepHost
        ? { rewriteRequestHeaders: (request, headers) => ({ ...headers, host: request.headers.host }) }
        : {},
    });
  }
  await gateway.listen({ host: options.host, port: options.port });
  return gateway;
}
