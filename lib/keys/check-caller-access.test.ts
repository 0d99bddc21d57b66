import { describe, expect, it } from 'vitest';
import { isCallerAllowed } from './check-caller-access.ts';

const roleSession = { userArn: 'arn:aws:sts::111122223333:assumed-role/team-a-app/i-0abc', accountId: '111122223333' };
const user = { userArn: 'arn:aws:iam::111122223333:user/alice', accountId: '111122223333' };
const nobody = { userArn: null, accountId: null };

describe('isCallerAllowed', () => {
  it('allows everyone when the secret lists no principals', () => {
    expect(isCallerAllowed(undefined, nobody)).toBe(true);
  });

  it('allows no one when the list is empty', () => {
    expect(isCallerAllowed([], user)).toBe(false);
  });

  it('matches a 12-digit account id against the caller account, or the account in its ARN', () => {
    expect(isCallerAllowed(['111122223333'], user)).toBe(true);
    expect(isCallerAllowed(['111122223333'], { userArn: user.userArn, accountId: null })).toBe(true);
    expect(isCallerAllowed(['444455556666'], user)).toBe(false);
  });

  it('matches exact ARNs and * patterns against the whole ARN', () => {
    expect(isCallerAllowed(['arn:aws:iam::111122223333:user/alice'], user)).toBe(true);
    expect(isCallerAllowed(['arn:aws:iam::111122223333:user/*'], user)).toBe(true);
    expect(isCallerAllowed(['arn:aws:iam::111122223333:user/ali'], user)).toBe(false);
    expect(isCallerAllowed(['arn:aws:sts::111122223333:assumed-role/team-a-*/*'], roleSession)).toBe(true);
    expect(isCallerAllowed(['*'], user)).toBe(true);
  });

  it('treats a role ARN as admitting the sessions of that role, paths included', () => {
    expect(isCallerAllowed(['arn:aws:iam::111122223333:role/team-a-app'], roleSession)).toBe(true);
    expect(isCallerAllowed(['arn:aws:iam::111122223333:role/service/team-a-app'], roleSession)).toBe(true);
    expect(isCallerAllowed(['arn:aws:iam::111122223333:role/team-a-*'], roleSession)).toBe(true);
    expect(isCallerAllowed(['arn:aws:iam::111122223333:role/team-b-app'], roleSession)).toBe(false);
    expect(isCallerAllowed(['arn:aws:iam::999999999999:role/team-a-app'], roleSession)).toBe(false);
  });

  it('does not read regular-expression syntax in patterns', () => {
    expect(isCallerAllowed(['arn:aws:iam::111122223333:user/a.ice'], user)).toBe(false);
    expect(isCallerAllowed(['arn:aws:iam::111122223333:user/(alice|bob)'], user)).toBe(false);
  });

  it('refuses a caller without an identity when principals are listed', () => {
    expect(isCallerAllowed(['*'], nobody)).toBe(false);
    expect(isCallerAllowed(['111122223333'], nobody)).toBe(false);
  });
});
