import type { Context } from '@opentelemetry/api';
import type { Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { ATTR_URL_FULL, ATTR_URL_QUERY } from '@opentelemetry/semantic-conventions';

const REDACTED = 'REDACTED';

// Span attributes that hold a URL or its query string; `http.target` and `http.url` are the old
// semantic conventions, still emitted under OTEL_SEMCONV_STABILITY_OPT_IN=http/dup.
const queryAttributes = [ATTR_URL_QUERY];
const urlAttributes = [ATTR_URL_FULL, 'http.target', 'http.url'];

/**
 * Keeps the parameter names of a query string and drops every value: searches carry personal data
 * (`/people/persons?q=<name>`), and the instrumentations only redact a fixed list of token names.
 */
export function redactQuery(query: string): string {
  const prefix = query.startsWith('?') ? '?' : '';
  const body = query.slice(prefix.length).split('#')[0];
  if (body === '') return query.split('#')[0];
  const names = [...new URLSearchParams(body).keys()];
  return prefix + names.map((name) => `${encodeURIComponent(name)}=${REDACTED}`).join('&');
}

/** A URL with its query values and any user:password replaced; the path stays, for debugging. */
export function redactUrl(url: string): string {
  const queryStart = url.indexOf('?');
  const withoutQuery = (queryStart < 0 ? url : url.slice(0, queryStart)).split('#')[0];
  const redactedQuery = queryStart < 0 ? '' : redactQuery(url.slice(queryStart));
  // Credentials in the authority (scheme://user:password@host) never reach a span either.
  return withoutQuery.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, `$1${REDACTED}@`) + redactedQuery;
}

/**
 * Rewrites URL-bearing attributes of every span just before it ends, so no exporter ever sees a
 * query value. Register it first among the span processors.
 */
export class RedactingSpanProcessor implements SpanProcessor {
  onStart(_span: Span, _parentContext: Context): void {}

  onEnding(span: Span): void {
    for (const key of queryAttributes) {
      const value = span.attributes[key];
      if (typeof value === 'string' && value !== '') span.setAttribute(key, redactQuery(value));
    }
    for (const key of urlAttributes) {
      const value = span.attributes[key];
      if (typeof value === 'string') span.setAttribute(key, redactUrl(value));
    }
  }

  onEnd(): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
