/**
 * The function's whole access to the gateway table, as both the table's own test and the full
 * stack's test expect it: item reads and updates on the table, and puts only on cache items.
 */
export function expectedTableStatements(tableId: string): Array<Record<string, unknown>> {
  return [
    { Sid: 'GatewayTableItems', Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], Resource: { 'Fn::GetAtt': [tableId, 'Arn'] } },
    {
      Sid: 'GatewayTableCacheWrites',
      Effect: 'Allow',
      Action: 'dynamodb:PutItem',
      Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['cache#*'] } },
    },
  ];
}
