/**
 * The limits' DynamoDB table as the gateway builds it (its own signed calls, lib/store/dynamodb-http-client.ts),
 * pointed at a dynalite (or a proxy in front of one) on loopback, with test credentials and the
 * gateway's retry budget unless a test sets its own.
 */
import { createDynamoDbGatewayTable } from '../../lib/store/dynamodb-gateway-table.ts';
import { TEST_TABLE } from '../support/dynalite.ts';

export function dynaliteTable(endpoint: string, options: { maxAttempts?: number; requestTimeoutMs?: number } = {}) {
  return createDynamoDbGatewayTable({
    tableName: TEST_TABLE,
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
  });
}
