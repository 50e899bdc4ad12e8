import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { type Attributes, context, type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import {
  ATTR_CODE_FUNCTION_NAME,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_ROUTE,
} from '@opentelemetry/semantic-conventions';
import { Observable } from 'rxjs';

/** The acting organisation's alias (the tenant key): never a user id or anything personal. */
export const ATTR_ORGANISATION = 'accanto.organisation';

// What the interceptor reads from a Fastify request: the route pattern, and the actor the auth guard
// (which runs before interceptors) attached.
type TracedRequest = { routeOptions?: { url?: string }; actor?: { organisation?: unknown } };

/**
 * One span per handler, named `<Controller>.<handler>`, since @opentelemetry/instrumentation-nestjs-core
 * does not support Nest 12. It also hands the route pattern to the HTTP server span, which is then
 * named `GET /people/persons/:id` rather than `GET`.
 */
@Injectable()
export class TracingInterceptor implements NestInterceptor {
  // A proxy: it follows whichever tracer provider is registered, now or later.
  private readonly tracer = trace.getTracer('accanto');

  intercept(executionContext: ExecutionContext, next: CallHandler): Observable<unknown> {
    const name = `${executionContext.getClass().name}.${executionContext.getHandler().name}`;
    const attributes: Attributes = { [ATTR_CODE_FUNCTION_NAME]: name };
    if (executionContext.getType() === 'http') {
      const request = executionContext.switchToHttp().getRequest<TracedRequest>();
      const route = request.routeOptions?.url;
      if (route) {
        attributes[ATTR_HTTP_ROUTE] = route;
        const rpcMetadata = getRPCMetadata(context.active());
        if (rpcMetadata?.type === RPCType.HTTP) rpcMetadata.route = route;
      }
      const organisation = request.actor?.organisation;
      if (typeof organisation === 'string') attributes[ATTR_ORGANISATION] = organisation;
    }
    return new Observable((subscriber) => {
      const span = this.tracer.startSpan(name, { attributes });
      // Nest binds the handler to the async context active when handle() is called: call it inside
      // the span's context so the service's queries and outgoing calls become its children.
      const subscription = context.with(trace.setSpan(context.active(), span), () =>
        next.handle().subscribe({
          next: (value) => subscriber.next(value),
          error: (error: unknown) => {
            endWithError(span, error);
            subscriber.error(error);
          },
          complete: () => {
            span.end();
            subscriber.complete();
          },
        }),
      );
      return () => {
        subscription.unsubscribe();
        // A client that disconnects mid-request unsubscribes: close the span all the same.
        if (span.isRecording()) span.end();
      };
    });
  }
}

function endWithError(span: Span, error: unknown): void {
  const status = (error as { getStatus?: () => number }).getStatus?.();
  // A 4xx is the caller's mistake, not a failure of this service (OpenTelemetry HTTP conventions).
  if (status === undefined || status >= 500) {
    // The error's type only, never its message or stack: messages can quote request data.
    const type = error instanceof Error ? error.name : 'Error';
    span.setAttribute(ATTR_ERROR_TYPE, type);
    span.setStatus({ code: SpanStatusCode.ERROR, message: type });
  }
  span.end();
}
