/**
 * `npm run usage`: per rule and caller, the use and the room left in the current windows, read from
 * the table (`GATEWAY_TABLE`, or `--table`) with the operator's AWS credentials. It scans the table,
 * which the gateway's own role may not do.
 *
 * The limits document comes from `--limits-file <path>` (a bare document, or a keys file with a
 * `limits` entry) or else from the secret `${GATEWAY_SECRETS_PREFIX}limits` (prefix default
 * `llm-gateway/`). `AWS_ENDPOINT_URL_DYNAMODB` / `_SECRETS_MANAGER` point it at other servers.
 *
 * Without a table, it asks the local server (`npm start`; `--url`, default http://127.0.0.1:8787)
 * for its in-process counters (`GET /limits/usage`, served by the local server only).
 *
 * @example GATEWAY_TABLE=LlmGateway-GatewayTable-1A2B npm run usage
 * @example npm run usage -- --table gateway-test --limits-file gateway.keys.json
 * @example npm run usage -- --url http://127.0.0.1:8787
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createSecretsManagerReader } from '../lib/keys/read-secrets-manager-secret.ts';
import { type LimitsDocument, parseLimitsDocument } from '../lib/limits/limits-document.ts';
import { formatLimitsUsage, type LimitUsageRow, readLimitsUsage } from '../lib/limits/read-limits-usage.ts';
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
  const { values } = parseArgs({ options: { table: { type: 'string' }, 'limits-file': { type: 'string' }, url: { type: 'string' } } });
  const tableName = values.table ?? process.env[GATEWAY_TABLE_ENV];
  if (!tableName) {
    process.stdout.write(formatLimitsUsage(await readLocalServer(values.url ?? 'http://127.0.0.1:8787')));
    return;
  }
  const document = await loadDocument(values['limits-file']);
  const table = createDynamoDbGatewayTable({ tableName });
  try {
    process.stdout.write(formatLimitsUsage(await readLimitsUsage(table, document, Date.now())));
  } finally {
    table.destroy(); // kept-alive connections would hold the process open
  }
}

/** The local server's in-process counters, as it reads them with its own document. */
async function readLocalServer(url: string): Promise<LimitUsageRow[]> {
  let response: Response;
  try {
    response = await fetch(new URL('/limits/usage', url));
  } catch (error) {
    throw new Error(`No table named (--table or ${GATEWAY_TABLE_ENV}) and no local server at ${url} (${(error as Error).message}); start it with npm start.`);
  }
  const body = (await response.json()) as { rows?: LimitUsageRow[]; error?: { message: string } };
  if (!response.ok || !body.rows) throw new Error(`The local server answered ${response.status}: ${body.error?.message ?? 'no rows'}`);
  return body.rows;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
