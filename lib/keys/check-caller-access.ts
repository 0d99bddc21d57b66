/**
 * Per-caller access to a stored key: `allowed_principals` lists IAM ARN patterns (`*` matches
 * any run of characters) or 12-digit account ids. The caller is API Gateway's IAM identity.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-input-format
 */
import type { CallerIdentity } from './key-store.ts';

const ACCOUNT_ID = /^\d{12}$/;
/** `arn:aws:iam::123456789012:role/path/name` → partition, account, role name (paths do not appear in session ARNs). */
const ROLE_ARN = /^arn:([\w-]+|\*):iam::(\d{12}|\*):role\/(?:.*\/)?([^/]+)$/;

/**
 * Whether `caller` matches one of `patterns`. Without patterns everyone may; with patterns a
 * caller without an identity (local runs) may not.
 *
 * A role ARN also admits that role's sessions: a caller who assumed
 * `arn:aws:iam::123456789012:role/app` reaches API Gateway as
 * `arn:aws:sts::123456789012:assumed-role/app/<session>`, and writing the role is what people mean.
 *
 * @example isCallerAllowed(['123456789012'], { accountId: '123456789012' }) // true
 * @example isCallerAllowed(['arn:aws:iam::123456789012:role/app'], { userArn: 'arn:aws:sts::123456789012:assumed-role/app/i-0abc' }) // true
 */
export function isCallerAllowed(patterns: readonly string[] | undefined, caller: CallerIdentity): boolean {
  if (patterns === undefined) return true;
  const userArn = caller.userArn ?? undefined;
  const accountId = caller.accountId ?? (userArn ? accountOfArn(userArn) : undefined);
  return patterns.some((pattern) => {
    if (ACCOUNT_ID.test(pattern)) return accountId === pattern;
    if (!userArn) return false;
    if (globToRegExp(pattern).test(userArn)) return true;
    const role = ROLE_ARN.exec(pattern);
    return role !== null && globToRegExp(`arn:${role[1]}:sts::${role[2]}:assumed-role/${role[3]}/*`).test(userArn);
  });
}

function accountOfArn(arn: string): string | undefined {
  const account = arn.split(':')[4];
  return account && ACCOUNT_ID.test(account) ? account : undefined;
}

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`);
}
