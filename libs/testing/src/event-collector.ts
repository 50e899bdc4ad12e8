import { jetstream, DeliverPolicy } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';

export type CollectedEvent = {
  subject: string;
  msgId: string | undefined;
  headers: Record<string, string>;
  data: Record<string, unknown>;
};

/**
 * Reads every message that reaches a stream (an ordered, ephemeral JetStream consumer), so tests
 * assert on what actually left the app — not on what it meant to publish.
 */
export async function collectEvents(
  natsUrl: string,
  stream: string,
): Promise<{ events: CollectedEvent[]; close: () => Promise<void> }> {
  const nats: NatsConnection = await connect({ servers: natsUrl });
  const js = jetstream(nats);
  const events: CollectedEvent[] = [];
  // The app creates the stream at start; wait for it rather than racing it.
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await (await js.jetstreamManager()).streams.info(stream);
      break;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const consumer = await js.consumers.get(stream, { deliver_policy: DeliverPolicy.All });
  const messages = await consumer.consume();
  void (async () => {
    for await (const message of messages) {
      const headers: Record<string, string> = {};
      for (const key of message.headers?.keys() ?? []) headers[key.toLowerCase()] = message.headers!.get(key);
      events.push({
        subject: message.subject,
        msgId: message.headers?.get('Nats-Msg-Id'),
        headers,
        data: message.json(),
      });
    }
  })();
  return {
    events,
    close: async () => {
      await messages.close();
      await nats.close();
    },
  };
}
