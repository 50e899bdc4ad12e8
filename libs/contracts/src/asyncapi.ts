import { z } from 'zod';
import { catalog, describeSubject, type EventSubject } from './catalog.js';
import { envelopeSchema } from './envelope.js';

/**
 * The AsyncAPI 3.0 document of every event, generated from the catalog: one channel per subject,
 * the message payload being the full envelope with that event's payload.
 */
export function asyncApiDocument(): Record<string, unknown> {
  const subjects = Object.keys(catalog) as EventSubject[];
  const key = (subject: EventSubject) => subject.replaceAll('.', '_');
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const subject of subjects) {
    const { type, version } = describeSubject(subject);
    const { $schema: _ignored, ...payload } = z.toJSONSchema(envelopeSchema(catalog[subject])) as Record<
      string,
      unknown
    >;
    messages[key(subject)] = {
      name: `${type}.v${version}`,
      title: type,
      contentType: 'application/json',
      headers: {
        type: 'object',
        properties: {
          'Nats-Msg-Id': {
            type: 'string',
            description: 'The envelope id: JetStream drops duplicates within its window.',
          },
          traceparent: {
            type: 'string',
            description: 'W3C trace context of the transaction that recorded the event.',
          },
          tracestate: { type: 'string' },
        },
      },
      payload,
    };
    channels[key(subject)] = {
      address: subject,
      messages: { [key(subject)]: { $ref: `#/components/messages/${key(subject)}` } },
    };
    operations[`publish_${key(subject)}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${key(subject)}` },
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Accanto domain events',
      version: '1',
      description:
        'Events the Accanto services publish on NATS JetStream (stream ACCANTO, subjects accanto.>). ' +
        'Every event travels in the same envelope; payloads carry ids, codes and dates, never names.',
    },
    defaultContentType: 'application/json',
    servers: { nats: { host: 'localhost:4222', protocol: 'nats', description: 'JetStream' } },
    channels,
    operations,
    components: { messages },
  };
}
