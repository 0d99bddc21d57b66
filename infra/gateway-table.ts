/**
 * The gateway's one DynamoDB table (DESIGN.md "The table", issue 13): limit counters now, cache
 * entries later. On demand (traffic is spiky and small), TTL on `ttl` so old windows and stale
 * entries expire for free, point-in-time recovery (a month's budget counters are worth restoring),
 * and encrypted with the AWS-managed KMS key (auditable in CloudTrail; no key policy to keep).
 *
 * A function gets only the item actions it needs on this one table (`grantItemAccess`): no Scan,
 * no Query, no index, no table management. `npm run usage` scans with the operator's credentials.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { GATEWAY_TABLE_ENV, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from '../lib/store/table-schema.ts';

/** Item-level actions a function may be given; reads across items (Scan, Query) are not among them. */
export type TableItemAction = 'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem';

/** What the limits need: a conditional `UpdateItem` to reserve and correct, `GetItem` to explain a refusal. */
export const LIMITS_ITEM_ACTIONS: readonly TableItemAction[] = ['GetItem', 'UpdateItem'];

export interface GatewayTableProps {
  /**
   * What happens to the table when the stack is deleted. Default RETAIN: the month's budget counters
   * would otherwise reset with a redeploy that replaces the stack.
   */
  removalPolicy?: RemovalPolicy;
}

export class GatewayTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: GatewayTableProps = {}) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: PARTITION_KEY, type: AttributeType.STRING },
      sortKey: { name: SORT_KEY, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }

  /** Allows `actions` on this table's items, and nothing else on it. */
  grantItemAccess(grantee: IGrantable, actions: readonly TableItemAction[]): void {
    if (actions.length === 0) throw new Error('grantItemAccess needs at least one action');
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'GatewayTableItems',
        actions: [...new Set(actions)].map((action) => `dynamodb:${action}`),
        resources: [this.table.tableArn],
      }),
    );
  }

  /** Names the table to the function (`GATEWAY_TABLE`) and grants it `actions` (default: what limits need). */
  connect(fn: LambdaFunction, actions: readonly TableItemAction[] = LIMITS_ITEM_ACTIONS): void {
    fn.addEnvironment(GATEWAY_TABLE_ENV, this.table.tableName);
    this.grantItemAccess(fn, actions);
  }
}
