/**
 * The in-process table: the `npm start` default (no `GATEWAY_TABLE`) and the second backend every
 * limiter test runs against. One Node process is single-threaded, so each operation is atomic as
 * DynamoDB's conditional updates are. Expired items read as absent and are swept as writes go on,
 * so a long-running local server does not grow without bound.
 */
import type { AddOptions, AddResult, GatewayTable, TableItem, TableKey } from './gateway-table.ts';

export interface MemoryTableOptions {
  /** Epoch milliseconds; injected by tests that move time. */
  now?: () => number;
  /** Writes between sweeps of expired items. */
  sweepEvery?: number;
}

export function createMemoryGatewayTable(options: MemoryTableOptions = {}): GatewayTable {
  const now = options.now ?? Date.now;
  const sweepEvery = options.sweepEvery ?? 1_000;
  const items = new Map<string, TableItem>();
  let writes = 0;

  const address = (key: TableKey) => `${key.pk}\u0000${key.sk}`;
  const expired = (item: TableItem) => item.ttl !== undefined && item.ttl * 1_000 <= now();

  function live(key: TableKey): TableItem | undefined {
    const item = items.get(address(key));
    return item === undefined || expired(item) ? undefined : item;
  }

  function written(): void {
    if (++writes % sweepEvery !== 0) return;
    for (const [id, item] of items) if (expired(item)) items.delete(id);
  }

  return {
    description: 'memory',
    async get(key) {
      const item = live(key);
      return item && copy(item);
    },
    async put(item) {
      items.set(address(item), copy(item));
      written();
    },
    async delete(key) {
      items.delete(address(key));
    },
    async add(key, amounts, addOptions: AddOptions): Promise<AddResult> {
      const item = live(key) ?? { pk: key.pk, sk: key.sk, values: {} };
      const before = (attribute: string) => {
        const current = item.values[attribute];
        return typeof current === 'number' ? current : 0;
      };
      for (const [attribute, ceiling] of Object.entries(addOptions.ceilings ?? {})) {
        if (before(attribute) + (amounts[attribute] ?? 0) > ceiling) return { applied: false };
      }
      const next: TableItem = { ...item, values: { ...item.values } };
      if (addOptions.ttl !== undefined) next.ttl = addOptions.ttl;
      for (const attribute of addOptions.remove ?? []) delete next.values[attribute];
      for (const [attribute, amount] of Object.entries(amounts)) next.values[attribute] = before(attribute) + amount;
      items.set(address(key), next);
      written();
      const values: Record<string, number> = {};
      for (const [attribute, value] of Object.entries(next.values)) if (typeof value === 'number') values[attribute] = value;
      return { applied: true, values };
    },
    async *scan(prefix) {
      for (const item of [...items.values()]) if (item.pk.startsWith(prefix) && !expired(item)) yield copy(item);
    },
  };
}

function copy(item: TableItem): TableItem {
  return { ...item, values: { ...item.values } };
}
