import { describe, expect, it } from '@jest/globals';
import { deadLetterSubject, natsSubject, streamNames } from './streams.js';

describe('stream and subject naming', () => {
  it('uses the catalog subjects as they are without a namespace', () => {
    expect(streamNames()).toEqual({
      events: 'ACCANTO',
      eventSubjects: 'accanto.>',
      deadLetter: 'ACCANTO_DLQ',
      deadLetterSubjects: 'accanto-dlq.>',
    });
    expect(natsSubject('accanto.people.person-registered.v1')).toBe('accanto.people.person-registered.v1');
  });

  it('prefixes streams and subjects with a namespace so runs never collide', () => {
    expect(streamNames('t1a-b')).toEqual({
      events: 'T1A_B_ACCANTO',
      eventSubjects: 't1a-b.accanto.>',
      deadLetter: 'T1A_B_ACCANTO_DLQ',
      deadLetterSubjects: 't1a-b.accanto-dlq.>',
    });
    expect(natsSubject('accanto.people.person-registered.v1', 't1')).toBe(
      't1.accanto.people.person-registered.v1',
    );
  });

  it('files dead letters by consumer, then the original subject', () => {
    expect(deadLetterSubject('reporting', 'accanto.people.person-registered.v1', 't1')).toBe(
      't1.accanto-dlq.reporting.accanto.people.person-registered.v1',
    );
  });

  it('refuses a namespace that would change the subject hierarchy', () => {
    expect(() => streamNames('a.b')).toThrow(/invalid namespace/);
    expect(() => natsSubject('accanto.x', '>')).toThrow(/invalid namespace/);
  });
});
