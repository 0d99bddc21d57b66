import { describe, expect, test } from 'vitest';
import { applicableCounters, callerScope, ruleApplies } from './applicable-counters.ts';
import { parseLimitsDocument } from './limits-document.ts';

const NOW = Date.parse('2026-11-27T10:00:15.000Z');
const ROLE_SESSION = { userArn: 'arn:aws:sts::123456789012:assumed-role/team-a-app/i-0abc', accountId: '123456789012' };

describe('callerScope', () => {
  test('counts every session of a role as that role', () => {
    expect(callerScope(ROLE_SESSION)).toBe('arn:aws:iam::123456789012:role/team-a-app');
  });

  test('keeps a user ARN, falls back to the account, then to anonymous', () => {
    expect(callerScope({ userArn: 'arn:aws:iam::123456789012:user/bob' })).toBe('arn:aws:iam::123456789012:user/bob');
    expect(callerScope({ accountId: '123456789012' })).toBe('123456789012');
    expect(callerScope({})).toBe('anonymous');
  });
});

describe('ruleApplies', () => {
  test('without principals or virtual keys, to every request', () => {
    expect(ruleApplies({ name: 'all', requests_per_minute: 1 }, { caller: {} })).toBe(true);
  });

  test('with virtual keys, only to a request using one of them', () => {
    const rule = { name: 'vk', virtual_keys: ['openai-*'], requests_per_minute: 1 };
    expect(ruleApplies(rule, { caller: {}, virtualKey: 'openai-prod' })).toBe(true);
    expect(ruleApplies(rule, { caller: {}, virtualKey: 'anthropic' })).toBe(false);
    expect(ruleApplies(rule, { caller: {} })).toBe(false);
  });

  test('with principals, as allowed_principals reads them', () => {
    const rule = { name: 'role', principals: ['arn:aws:iam::123456789012:role/team-a-*'], requests_per_minute: 1 };
    expect(ruleApplies(rule, { caller: ROLE_SESSION })).toBe(true);
    expect(ruleApplies(rule, { caller: { userArn: 'arn:aws:iam::123456789012:user/bob' } })).toBe(false);
    expect(ruleApplies(rule, { caller: {} })).toBe(false);
  });
});

describe('applicableCounters', () => {
  test('gives one counter per measure of each applicable rule, an attribute per measure and window in an item per rule and scope', () => {
    const document = parseLimitsDocument(
      {
        rules: [
          { name: 'team-a', principals: ['123456789012'], per: 'caller', requests_per_minute: 600, cost_usd_per_month: 1000 },
          { name: 'other-team', principals: ['210987654321'], requests_per_minute: 1 },
          { name: 'everyone', tokens_per_day: 5000000 },
        ],
      },
      'test',
    );
    const counters = applicableCounters(document, { caller: ROLE_SESSION }, NOW);
    expect(counters.map((counter) => ({ ...counter.key, attribute: counter.attribute, limit: counter.limit }))).toEqual([
      { pk: 'limits#team-a#arn:aws:iam::123456789012:role/team-a-app', sk: 'counters', attribute: 'requests_per_minute#2026-11-27T10:00Z', limit: 600 },
      { pk: 'limits#team-a#arn:aws:iam::123456789012:role/team-a-app', sk: 'counters', attribute: 'cost_usd_per_month#2026-11', limit: 1000 },
      { pk: 'limits#everyone#*', sk: 'counters', attribute: 'tokens_per_day#2026-11-27', limit: 5000000 },
    ]);
  });
});
