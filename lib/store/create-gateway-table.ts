/**
 * The table this process uses: DynamoDB when `GATEWAY_TABLE` names one, otherwise in-process
 * (DESIGN.md "The table"). The DynamoDB module itself is small; the SDK's configuration loads on first
 * use. The response cache shares the table's client (lib/cache/create-response-cache.ts).
 */
import type { GatewayTable } from './gateway-table.ts';
import { createDynamoDbGatewayTable } from './dynamodb-gateway-table.ts';
import { processDynamoDbHttpClient } from './dynamodb-http-client.ts';
import { createMemoryGatewayTable } from './memory-gateway-table.ts';
import { GATEWAY_TABLE_ENV } from './table-schema.ts';

export function createGatewayTable(env: Record<string, string | undefined> = process.env): GatewayTable {
  const tableName = env[GATEWAY_TABLE_ENV]?.trim();
  return tableName ? createDynamoDbGatewayTable({ tableName, client: processDynamoDbHttpClient() }) : createMemoryGatewayTable();
}
