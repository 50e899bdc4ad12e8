import { describe, expect, it } from '@jest/globals';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { RedactingSpanProcessor, redactQuery, redactUrl } from './span-redaction.processor.js';

describe('redactQuery', () => {
  it.each([
    ['q=Mario%20Rossi&limit=5', 'q=REDACTED&limit=REDACTED'],
    ['?q=Mario', '?q=REDACTED'],
    ['q=Mario&q=Rossi', 'q=REDACTED&q=REDACTED'],
    ['q=Mario#fragment', 'q=REDACTED'],
    ['flag', 'flag=REDACTED'],
    ['', ''],
    ['?', '?'],
  ])('%j becomes %j', (query, redacted) => {
    expect(redactQuery(query)).toBe(redacted);
  });
});

describe('redactUrl', () => {
  it.each([
    ['http://people:3001/people/persons?q=Mario', 'http://people:3001/people/persons?q=REDACTED'],
    ['https://user:pass@keycloak:8443/realms/accanto', 'https://REDACTED@keycloak:8443/realms/accanto'],
    ['/people/persons?q=Mario', '/people/persons?q=REDACTED'],
    ['/people/persons/01935d3c', '/people/persons/01935d3c'],
  ])('%j becomes %j', (url, redacted) => {
    expect(redactUrl(url)).toBe(redacted);
  });
});

describe('RedactingSpanProcessor', () => {
  it('rewrites URL attributes before any exporter sees the span, including ones set after start', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({
      spanProcessors: [new RedactingSpanProcessor(), new SimpleSpanProcessor({ exporter })],
    });
    const span = provider.getTracer('test').startSpan('GET', {
      attributes: { 'url.query': 'q=Mario', 'url.path': '/people/persons', 'http.request.method': 'GET' },
    });
    span.setAttribute('url.full', 'http://people/people/persons?q=Mario');
    span.setAttribute('http.target', '/people/persons?q=Mario');
    span.end();

    const [exported] = exporter.getFinishedSpans();
    expect(exported.attributes).toEqual({
      'url.query': 'q=REDACTED',
      'url.path': '/people/persons',
      'http.request.method': 'GET',
      'url.full': 'http://people/people/persons?q=REDACTED',
      'http.target': '/people/persons?q=REDACTED',
    });
  });
});
