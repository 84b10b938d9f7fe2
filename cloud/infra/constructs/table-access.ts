import { Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { IConstruct } from 'constructs';
import { tableById } from '../../definitions/tables.js';
import { acknowledge, resourceFinding } from './nag.js';

/** How a handler uses a table. */
export type TableMode = 'read' | 'readWrite';

/**
 * Grants `role` access to a table of `cloud/definitions/tables.ts`, referenced by its fixed name
 * (tables live in the storage stack), including its secondary indexes when it has any, and the
 * data key the table is encrypted with.
 */
export function grantTableAccess(
  scope: IConstruct,
  role: iam.IRole,
  tableId: string,
  mode: TableMode,
  key: kms.IKey,
): void {
  const stack = Stack.of(scope);
  const def = tableById(tableId);
  const id = `TableRef-${tableId}`;
  const table =
    (stack.node.tryFindChild(id) as dynamodb.ITable | undefined) ??
    dynamodb.Table.fromTableAttributes(stack, id, {
      tableName: def.name,
      encryptionKey: key,
      grantIndexPermissions: Boolean(def.globalSecondaryIndexes?.length),
    });
  if (mode === 'read') table.grantReadData(role);
  else table.grantReadWriteData(role);
  const findings = ['Action::kms:GenerateDataKey*', 'Action::kms:ReEncrypt*'];
  if (def.globalSecondaryIndexes?.length) findings.push(resourceFinding(stack, `${table.tableArn}/index/*`));
  acknowledge(role, [
    {
      id: 'AwsSolutions-IAM5',
      reason: `Access to ${def.name} covers that table's own secondary indexes; CDK's grants on its customer-managed key use the kms:GenerateDataKey* and kms:ReEncrypt* action families on that one key.`,
      findings: mode === 'read' ? findings.filter((f) => !f.startsWith('Action::')) : findings,
    },
  ]);
}
