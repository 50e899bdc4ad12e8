import { afterEach, describe, expect, it } from '@jest/globals';
import { samplerFromEnv } from './tracing.sdk.js';

// OTEL_TRACES_SAMPLER as the specification names its values; the SDK is assembled here, not by NodeSDK.
describe('samplerFromEnv', () => {
  const saved = { sampler: process.env.OTEL_TRACES_SAMPLER, ratio: process.env.OTEL_TRACES_SAMPLER_ARG };
  const given = (sampler?: string, ratio?: string) => {
    if (sampler === undefined) delete process.env.OTEL_TRACES_SAMPLER;
    else process.env.OTEL_TRACES_SAMPLER = sampler;
    if (ratio === undefined) delete process.env.OTEL_TRACES_SAMPLER_ARG;
    else process.env.OTEL_TRACES_SAMPLER_ARG = ratio;
  };
  afterEach(() => given(saved.sampler, saved.ratio));

  it('without OTEL_TRACES_SAMPLER, leaves the SDK its default', () => {
    given(undefined);
    expect(samplerFromEnv()).toBeUndefined();
  });

  it.each([
    ['always_on', undefined, 'AlwaysOnSampler'],
    ['always_off', undefined, 'AlwaysOffSampler'],
    ['traceidratio', '0.25', 'TraceIdRatioBased{0.25}'],
    ['traceidratio', undefined, 'TraceIdRatioBased{1}'],
    ['parentbased_always_off', undefined, 'ParentBased{root=AlwaysOffSampler'],
    ['parentbased_traceidratio', '0.1', 'ParentBased{root=TraceIdRatioBased{0.1}'],
  ])('%s with ratio %s samples as %s', (sampler, ratio, described) => {
    given(sampler, ratio);
    expect(samplerFromEnv()?.toString()).toContain(described);
  });

  it('refuses a sampler it does not know, and a ratio outside 0 to 1, rather than tracing otherwise than asked', () => {
    given('jaeger_remote');
    expect(() => samplerFromEnv()).toThrow('OTEL_TRACES_SAMPLER=jaeger_remote');
    given('traceidratio', '1.5');
    expect(() => samplerFromEnv()).toThrow('OTEL_TRACES_SAMPLER_ARG=1.5');
  });
});
