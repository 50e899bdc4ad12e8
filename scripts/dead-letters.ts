import { z } from 'zod';
import { connect } from '@nats-io/transport-node';
import { listDeadLetters, replayDeadLetters } from '#messaging';

// The messages consumers parked after repeated failures (readiness counts them):
//
//   npm run dead-letters -- list [consumer]     what is parked, why, and since when (no payloads)
//   npm run dead-letters -- replay <consumer>   once the cause is fixed: back to the consumers
//
// NATS_URL (default the local server) and NATS_NAMESPACE (none by default), as the apps take them.
const environment = z
  .object({
    NATS_URL: z.string().default('nats://127.0.0.1:4222'),
    NATS_NAMESPACE: z.string().optional(),
  })
  .parse(process.env);
const [command, consumer] = process.argv.slice(2);
if (!(command === 'list' || (command === 'replay' && consumer))) {
  console.error('usage: dead-letters list [consumer] | dead-letters replay <consumer>');
  process.exit(2);
}
const namespace = environment.NATS_NAMESPACE || undefined;
const nats = await connect({ servers: environment.NATS_URL, name: 'accanto-dead-letters' });
try {
  if (command === 'list') {
    const letters = await listDeadLetters(nats, namespace, consumer);
    for (const letter of letters)
      console.log(
        [
          letter.seq,
          letter.parkedAt,
          letter.consumer,
          letter.subject,
          letter.eventId ?? '-',
          letter.reason,
        ].join('\t'),
      );
    console.log(`${letters.length} parked${consumer ? ` by ${consumer}` : ''}`);
  } else {
    const { replayed } = await replayDeadLetters(nats, consumer, namespace);
    console.log(`${replayed} replayed for ${consumer}`);
  }
} finally {
  await nats.drain();
}
