/**
 * Where virtual keys and stored configs come from (Secrets Manager on Lambda, a JSON file
 * locally). The core sees only this interface.
 */
import type { ProviderTarget } from '../config/target.ts';

/** Who is calling, from API Gateway's IAM authentication (`requestContext.identity`); never from a header. */
export interface CallerIdentity {
  userArn?: string | null;
  accountId?: string | null;
}

export interface KeyStore {
  /**
   * The target fields a virtual key's secret holds (`provider`, `api_key`, `custom_host`, ...).
   * @throws AuthenticationError 404 when unknown, 403 when the caller may not use it.
   */
  getVirtualKey(name: string, caller: CallerIdentity): Promise<Partial<ProviderTarget>>;
  /**
   * A stored config (the raw JSON value, validated by the config parser).
   * @throws AuthenticationError 404 when unknown, 403 when the caller may not use it.
   */
  getConfig(id: string, caller: CallerIdentity): Promise<unknown>;
}
