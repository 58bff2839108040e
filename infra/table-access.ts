/**
 * DynamoDB access for one function's role: the item actions its code paths use, on the table,
 * and Query on exactly the indexes it reads. Indexes are named from the shared table design
 * rather than `index/*`: no wildcard, and an index added to the design is granted by the same
 * change that makes a function read it.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { GsiName } from '../adapters/aws/dynamo/table-design.ts';

export interface TableAccess {
  /** Actions on the table itself (items, and Query on the base table where a code path uses it). */
  readonly actions: readonly string[];
  /** Indexes the function queries. Query is the only call that reads an index. */
  readonly queryIndexes: readonly GsiName[];
}

export function grantTableAccess(role: iam.IRole, table: dynamodb.ITable, access: TableAccess): void {
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...access.actions], resources: [table.tableArn] }));
  if (access.queryIndexes.length === 0) return;
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: access.queryIndexes.map((indexName) => `${table.tableArn}/index/${indexName}`) }),
  );
}
