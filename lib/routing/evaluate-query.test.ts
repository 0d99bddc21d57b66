import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateQuery, validateQuery } from './evaluate-query.ts';
import { loadLinearRegex } from './linear-regex.ts';

beforeAll(() => loadLinearRegex());

const context = {
  metadata: { plan: 'pro', tier: '2', region: 'eu-west-1', nested: { team: 'search' } },
  params: { model: 'gpt-3.5-turbo-instruct', max_tokens: 512, temperature: 0.2, stream: true },
};

describe('evaluateQuery', () => {
  it.each([
    [{ 'metadata.plan': 'pro' }, true],
    [{ 'metadata.plan': { $eq: 'free' } }, false],
    [{ 'metadata.plan': { $ne: 'free' } }, true],
    [{ 'params.max_tokens': { $gt: 500 } }, true],
    [{ 'params.max_tokens': { $gte: 512, $lte: 512 } }, true],
    [{ 'params.max_tokens': { $lt: 512 } }, false],
    [{ 'metadata.tier': { $gte: 2 } }, true],
    [{ 'metadata.tier': 2 }, true],
    [{ 'metadata.plan': { $in: ['pro', 'team'] } }, true],
    [{ 'metadata.plan': { $nin: ['pro', 'team'] } }, false],
    [{ 'metadata.region': { $regex: '^eu-' } }, true],
    [{ 'params.model': { $regex: 'claude' } }, false],
    [{ 'metadata.nested.team': 'search' }, true],
    [{ 'metadata.absent': { $eq: 'x' } }, false],
    [{ 'metadata.absent': { $ne: 'x' } }, true],
    [{ 'metadata.absent': { $gt: 1 } }, false],
    [{ $or: [{ 'metadata.plan': 'free' }, { 'params.stream': true }] }, true],
    [{ $and: [{ 'metadata.plan': 'pro' }, { 'params.temperature': { $gt: 0.5 } }] }, false],
    [{ 'metadata.plan': 'pro', 'params.max_tokens': { $lt: 100 } }, false],
    [{ $or: [{ $and: [{ 'metadata.plan': 'pro' }, { 'metadata.tier': '2' }] }, { 'metadata.plan': 'team' }] }, true],
  ])('%j is %s', (query, expected) => {
    expect(evaluateQuery(query, context)).toBe(expected);
  });
});

describe('validateQuery', () => {
  it('accepts every operator used properly', () => {
    expect(
      validateQuery({ $or: [{ 'metadata.a': { $in: [1] } }, { 'params.b': { $regex: '^x', $ne: 'y' } }], 'metadata.c': { $gt: 1, $lte: 4 } }, 'q'),
    ).toEqual([]);
  });

  it('names each bad part of a query', () => {
    expect(validateQuery({ $nor: [], 'metadata.a': { $in: 'x', $regex: '(' }, $or: [] }, 'q')).toEqual([
      'q.$nor: unknown operator (use $and or $or here, or a path such as metadata.plan)',
      'q.metadata.a.$in: expected an array',
      'q.metadata.a.$regex: not a valid regular expression',
      'q.$or: expected a non-empty array of queries',
    ]);
  });
});

describe('$regex on the linear-time engine', () => {
  // Patterns a backtracking engine takes exponential time on were refused by a nested-quantifier
  // check (which alternation bypassed: `^(a|a)*$`); on RE2 they are accepted and run in linear time.
  const adversarial = `${'a'.repeat(50_000)}!`;
  it.each(['(a+)+$', '(a*)*', '^(\\w+\\s?)*$', '((ab)+c)+', '(x{2,})+', '(?:a|b+){3,}', '^(a|a)*$', '^(a|aa)+$'])('accepts %s and matches it in linear time', (pattern) => {
    expect(validateQuery({ 'params.prompt': { $regex: pattern } }, 'q')).toEqual([]);
    // Would not return for minutes on a backtracking engine; bounded here by the test timeout.
    expect(evaluateQuery({ 'params.prompt': { $regex: pattern } }, { metadata: {}, params: { prompt: adversarial } })).toBe(pattern === '(a*)*' || pattern === '(?:a|b+){3,}');
  });

  it.each(['^eu-', 'gpt-(3|4)', '(ab)+', '[a+]+', 'a+b*', '\\(a+\\)+', '^(pro|team)$', '(a)(b+)', '(?<tier>pro|team)'])('accepts %s', (pattern) => {
    expect(validateQuery({ 'params.prompt': { $regex: pattern } }, 'q')).toEqual([]);
  });

  it.each(['(a)\\1', 'foo(?=bar)', '(?<!x)y', 'a{1001}'])('refuses %s, which RE2 cannot run in linear time, naming the engine', (pattern) => {
    const [problem] = validateQuery({ 'params.prompt': { $regex: pattern } }, 'q');
    expect(problem).toContain('q.params.prompt.$regex: not a regular expression the linear-time engine (RE2) accepts');
  });
});
