/**
 * The gateway's one DynamoDB table (DESIGN.md "The table"), as the core sees it: items addressed by
 * `pk`/`sk`, expiring at `ttl` (epoch seconds), holding a few string or number attributes. Limit
 * counters and cache entries both live here; each owns a `pk` prefix (`limits#…`, `cache#…`).
 *
 * Two implementations: DynamoDB (`GATEWAY_TABLE` set) and an in-process map (the `npm start`
 * default). Both honour the same contract, and the limiter's tests run against both.
 */

/** An item's address. */
export interface TableKey {
  pk: string;
  sk: string;
}

export type TableValue = string | number;

export interface TableItem extends TableKey {
  /** Epoch seconds after which the item may vanish (DynamoDB deletes it lazily, within days). */
  ttl?: number;
  values: Record<string, TableValue>;
}

export interface AddOptions {
  /** Epoch seconds, written with the addition; undefined leaves the item's TTL as it is. */
  ttl?: number | undefined;
  /**
   * Add only if every attribute named here stays at or below its ceiling (a missing attribute
   * counts as 0). Checked and applied atomically, so concurrent writers can never together pass one.
   */
  ceilings?: Record<string, number> | undefined;
  /** Attributes to delete in the same write (a missing one is no error); never one added to. */
  remove?: readonly string[];
}

/**
 * The outcome of `add`: every number attribute of the item after the write (those added to and the
 * others), or a refusal because a ceiling would be passed.
 */
export type AddResult = { applied: true; values: Record<string, number> } | { applied: false };

export interface GatewayTable {
  /** Where the items live, for logs: `dynamodb:<table>` or `memory`. */
  readonly description: string;
  /** Reads one item; `consistent` asks DynamoDB for a strongly consistent read. */
  get(key: TableKey, options?: { consistent?: boolean }): Promise<TableItem | undefined>;
  put(item: TableItem): Promise<void>;
  delete(key: TableKey): Promise<void>;
  /**
   * Atomically adds each amount (may be negative) to its number attribute, all or none, creating
   * the item if needed: one write however many attributes.
   */
  add(key: TableKey, amounts: Record<string, number>, options: AddOptions): Promise<AddResult>;
  /** Every item whose `pk` starts with `prefix`. A full table scan on DynamoDB: operator tools only. */
  scan(prefix: string): AsyncIterable<TableItem>;
}

/** The table could not be reached or refused the call (after the client's own retries). */
export class TableUnavailableError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TableUnavailableError';
  }
}
