/** The config: defaults, one message per bad key naming the allowed values, and the published schema. */
import { describe, it, expect } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { DEFAULT_CONFIG, configSchema, resolveConfig, parseSets, CONFIG_KEYS } from '../../generator/config.ts';
import { ConfigError } from '../../generator/errors.ts';

describe('config', () => {
  it('the default is SCNN-like', () => {
    expect(DEFAULT_CONFIG).toMatchObject({ F: 4, I: 4, banks: 32, dataWidth: 16, accWidth: 32, pes: 1, ant: 'off' });
    expect(resolveConfig({})).toEqual(DEFAULT_CONFIG);
  });

  it.each([
    [{ F: 0 }, /'F': 0 .*integer 1\.\.16/],
    [{ I: 17 }, /'I': 17 .*integer 1\.\.16/],
    [{ banks: 48 }, /'banks': 48 .*power of two 1\.\.64/],
    [{ dataWidth: 3 }, /'dataWidth': 3 .*4\.\.32/],
    [{ accWidth: 65 }, /'accWidth'.*8\.\.64/],
    [{ ant: 'maybe' }, /'ant': "maybe" .*"off"/],
    [{ F: 2.5 }, /'F': 2\.5/],
    [{ F: '4' }, /'F': "4"/],
    [{ frobnicate: 1 }, /'frobnicate' is unknown; allowed keys: name, F, I/],
    [{ name: 'a b' }, /'name'/],
  ])('%j is rejected with a message naming the key', (bad, msg) => {
    expect(() => resolveConfig(bad)).toThrow(ConfigError);
    expect(() => resolveConfig(bad)).toThrow(msg);
  });

  it('--set parses numbers and strings and rejects a missing =', () => {
    expect(parseSets(['F=3', 'ant=off', 'name=x1'])).toEqual({ F: 3, ant: 'off', name: 'x1' });
    expect(() => parseSets(['F'])).toThrow(/key=value/);
  });

  it('the published schema accepts exactly what the validator accepts on sample configs', () => {
    const ajv = new Ajv2020({ strict: false });
    const validate = ajv.compile(configSchema());
    expect(validate(DEFAULT_CONFIG)).toBe(true);
    expect(validate({ ...DEFAULT_CONFIG, banks: 48 })).toBe(false);
    expect(validate({ ...DEFAULT_CONFIG, extra: 1 })).toBe(false);
    expect(Object.keys((configSchema() as { properties: object }).properties)).toEqual(Object.keys(CONFIG_KEYS));
  });
});
