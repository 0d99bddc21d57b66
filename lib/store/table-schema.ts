/**
 * The table's contract (DESIGN.md "The table") as plain constants, shared by the core and `infra/`
 * (which may import constants from `lib/`, nothing else).
 */
export const GATEWAY_TABLE_ENV = 'GATEWAY_TABLE';
export const PARTITION_KEY = 'pk';
export const SORT_KEY = 'sk';
/** Epoch seconds; DynamoDB's TTL deletes items some time after. */
export const TTL_ATTRIBUTE = 'ttl';
