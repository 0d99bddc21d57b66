/**
 * Issue #11, the edge: inputs that must answer 4xx, never 500, through the local server and the
 * real handler: hop-by-hop `forward_headers`, `$regex` on RE2, configs nested too deep.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/parse-config.ts';
import { json, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.ts';
import { OPENAI_COMPLETION } from '../fakes/openai-samples.ts';
import { startGateway, type RunningGateway } from '../support/start-gateway.ts';

describe('inputs at the edge', () => {
  let upstream: FakeUpstream;
  let gateway: RunningGateway;
  beforeAll(async () => {
    upstream = await startFakeUpstream(json(200, OPENAI_COMPLETION));
    gateway = await startGateway();
  });
  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
  });

  const post = (headers: Record<string, string>, body: unknown = { model: 'm', prompt: 'x' }) =>
    fetch(`${gateway.url}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-portkey-provider': 'openai', authorization: 'Bearer sk-caller', 'x-portkey-custom-host': `${upstream.url}/v1`, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const errorOf = async (response: Response) => ((await response.json()) as { error: { message: string; code: string; param: string } }).error;

  describe('forward_headers', () => {
    const refused = ['transfer-encoding', 'content-length', 'host', 'connection', 'upgrade', 'te', 'trailer', 'expect', 'keep-alive', 'proxy-authorization', 'Proxy-Connection', 'proxy-anything', 'Content-Encoding', 'accept-encoding', 'http2-settings'];

    it.each(refused)('refuses %s in x-portkey-forward-headers with a 400', async (name) => {
      const before = upstream.received.length;
      const response = await post({ 'x-portkey-forward-headers': `x-team, ${name}`, 'x-team': 'a' });
      expect(response.status).toBe(400);
      expect(await errorOf(response)).toMatchObject({ code: 'invalid_forward_headers', param: 'x-portkey-forward-headers' });
      expect(upstream.received.length).toBe(before);
    });

    it.each(refused)('refuses %s in a config target (camelCase or snake_case) with a 400', async (name) => {
      for (const key of ['forward_headers', 'forwardHeaders']) {
        const config = { strategy: { mode: 'fallback' }, targets: [{ provider: 'openai', custom_host: `${upstream.url}/v1`, [key]: ['x-team', name] }] };
        const response = await post({ 'x-portkey-config': JSON.stringify(config) });
        expect(response.status).toBe(400);
        const error = await errorOf(response);
        expect(error.code).toBe('invalid_config');
        expect(error.message).toContain('config.targets[0].forward_headers[1]');
        expect(error.message).toContain('cannot be forwarded');
      }
    });

    it('forwards ordinary headers, and a forwarded authorization never replaces the target key', async () => {
      const config = { provider: 'openai', api_key: 'sk-config', custom_host: `${upstream.url}/v1`, forward_headers: ['x-team', 'authorization', 'x-request-tag'] };
      const response = await post({ 'x-portkey-config': JSON.stringify(config), 'x-team': 'search', 'x-request-tag': 't-1' });
      expect(response.status).toBe(200);
      const sent = upstream.received.at(-1)!;
      expect(sent.headers['x-team']).toBe('search');
      expect(sent.headers['x-request-tag']).toBe('t-1');
      expect(sent.headers.authorization).toBe('Bearer sk-config');
    });

    it('refuses more than 32 names', async () => {
      const names = Array.from({ length: 33 }, (_, index) => `x-h${index}`).join(',');
      expect((await post({ 'x-portkey-forward-headers': names })).status).toBe(400);
    });
  });

  describe('$regex in conditional routing', () => {
    const conditional = (pattern: string) =>
      JSON.stringify({
        strategy: { mode: 'conditional', conditions: [{ query: { 'params.prompt': { $regex: pattern } }, then: 'matched' }], default: 'other' },
        targets: [
          { name: 'matched', provider: 'openai', custom_host: `${upstream.url}/matched/v1` },
          { name: 'other', provider: 'openai', custom_host: `${upstream.url}/other/v1` },
        ],
      });

    it.each([
      ['^(a|a)*$', `${'a'.repeat(5_000)}!`, 'other'],
      ['^(a|aa)+$', 'a'.repeat(5_000), 'matched'],
      ['(a+)+$', `${'a'.repeat(5_000)}!`, 'other'],
      ['^(\\w+\\s?)*$', `${'word '.repeat(2_000)}!`, 'other'],
      ['(?<tier>pro|team)', 'on the team plan', 'matched'],
    ])('routes on %s in linear time', async (pattern, prompt, target) => {
      const response = await post({ 'x-portkey-config': conditional(pattern) }, { model: 'm', prompt });
      expect(response.status).toBe(200);
      expect(upstream.received.at(-1)!.path).toBe(`/${target}/v1/completions`);
    });

    it.each(['(a)\\1', 'x(?=y)', '(?<!x)y', '(?<name>a)\\k<name>', '\\u0041', 'a{2000}'])('refuses %s, which RE2 cannot run, with a 400', async (pattern) => {
      const response = await post({ 'x-portkey-config': conditional(pattern) });
      expect(response.status).toBe(400);
      const error = await errorOf(response);
      expect(error.code).toBe('invalid_config');
      expect(error.message).toContain('linear-time engine (RE2)');
    });

    it('finds $regex spelled with a JSON escape', async () => {
      const response = await post({ 'x-portkey-config': conditional('^(a|a)*$').replace('"$regex"', '"\\u0024regex"') }, { model: 'm', prompt: `${'a'.repeat(100)}!` });
      expect(response.status).toBe(200);
      expect(upstream.received.at(-1)!.path).toBe('/other/v1/completions');
    });
  });

  describe('depth and size before recursion', () => {
    const nested = (depth: number, open: string, close: string, inner = '{}') => `${open.repeat(depth)}${inner}${close.repeat(depth)}`;

    it.each([
      ['nested targets', (depth: number) => nested(depth, '{"targets":[', ']}', '{"provider":"openai"}')],
      ['nested override_params', (depth: number) => `{"provider":"openai","override_params":${nested(depth, '{"a":', '}')}}`],
      ['nested $or queries', (depth: number) => `{"strategy":{"mode":"conditional","conditions":[{"query":${nested(depth, '{"$or":[', ']}', '{"metadata.a":1}')},"then":"t"}]},"targets":[{"name":"t","provider":"openai"}]}`],
      ['nested arrays in a field', (depth: number) => `{"provider":"openai","weight":${nested(depth, '[', ']', '1')}}`],
    ])('answers a header config with %s 400, not 500', async (_name, build) => {
      // Node's 16 KB header limit allows about a thousand levels.
      const response = await post({ 'x-portkey-config': build(900) });
      expect(response.status).toBe(400);
      expect((await errorOf(response)).message).toMatch(/nested deeper than 32 levels/);
    });

    it.each([
      ['nested targets', '{"targets":[', ']}'],
      ['nested objects', '{"a":', '}'],
      ['nested arrays', '[', ']'],
    ])('refuses a config value with 100,000 levels of %s before anything recurses', (_name, open, close) => {
      const raw = JSON.parse(nested(100_000, open, close));
      expect(() => parseConfig(raw)).toThrow(/nested deeper than 32 levels/);
    });

    it('refuses a config with too many values', () => {
      expect(() => parseConfig({ provider: 'openai', override_params: { many: Array.from({ length: 20_000 }, () => 1) } })).toThrow(/more than 10000 values/);
    });

    it('answers deeply nested metadata with a 400', async () => {
      const response = await post({ 'x-portkey-metadata': nested(1_000, '{"a":', '}') });
      expect(response.status).toBe(400);
      expect((await errorOf(response)).code).toBe('invalid_metadata');
    });

    it('answers a deeply nested body value with a 400', async () => {
      const body = `{"model":"m","prompt":${nested(100_000, '[', ']', '1')},"user":${nested(100_000, '{"a":', '}')}}`;
      const response = await post({}, body);
      expect(response.status).toBe(400);
    });
  });
});
