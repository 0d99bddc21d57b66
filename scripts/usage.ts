/**
 * `npm run usage`: per rule and caller, the use and the room left in the current windows, read from
 * the table (`GATEWAY_TABLE`, or `--table`) with the operator's AWS credentials. It scans the table,
 * which the gateway's own role may not do.
 *
 * The limits document comes from `--limits-file <path>` (a bare document, or a keys file with a
 * `limits` entry) or else from the secret `${GATEWAY_SECRETS_PREFIX}limits` (prefix default
 * `llm-gateway/`). `AWS_ENDPOINT_URL_DYNAMODB` / `_SECRETS_MANAGER` point it at other servers.
 *
 * @example GATEWAY_TABLE=LlmGateway-GatewayTable-1A2B npm run usage
 * @example npm run usage -- --table gateway-test --limits-file gateway.keys.json
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createSecretsManagerReader } from '../lib/keys/read-secrets-manager-secret.ts';
import { type LimitsDocument, parseLimitsDocument } from '../lib/limits/limits-document.ts';
import { formatLimitsUsage, readLimitsUsage } from '../lib/limits/read-limits-usage.ts';
import { createDynamoDbGatewayTable } from '../lib/store/dynamodb-gateway-table.ts';
import { GATEWAY_TABLE_ENV } from '../lib/store/table-schema.ts';

async function loadDocument(file: string | undefined): Promise<LimitsDocument> {
  if (file) {
    const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    return 'limits' in json ? parseLimitsDocument(json.limits, `${file} (limits)`) : parseLimitsDocument(json, file);
  }
  const name = `${process.env.GATEWAY_SECRETS_PREFIX ?? 'llm-gateway/'}limits`;
  return parseLimitsDocument(await createSecretsManagerReader()(name), name);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { table: { type: 'string' }, 'limits-file': { type: 'string' } } });
  const tableName = values.table ?? process.env[GATEWAY_TABLE_ENV];
  if (!tableName) {
    throw new Error(`Name the table: --table <name> or ${GATEWAY_TABLE_ENV}. (The local server's in-process counters are read through the server; that comes with wiring.)`);
  }
  const document = await loadDocument(values['limits-file']);
  const rows = await readLimitsUsage(createDynamoDbGatewayTable({ tableName }), document, Date.now());
  process.stdout.write(formatLimitsUsage(rows));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
