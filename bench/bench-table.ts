/** Benches measure on fresh tables and drop them afterwards. */
import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

export async function deleteTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new DeleteTableCommand({ TableName: tableName }));
}
