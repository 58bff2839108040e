/**
 * Reading a synthesized stack template in infra tests: resources by type and logical-id prefix,
 * a function's role, and the IAM statements attached to a role. Shared by the test files that
 * synthesize an unbundled app of their own.
 */
import { expect } from 'vitest';

export type Resource = { Type: string; Properties: Record<string, unknown> };
export type Statement = { Action: string | string[]; Resource: unknown; Effect: string; Condition?: Record<string, Record<string, string[]>> };

export const getAtt = (id: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [id, attribute] });
export const actionsOf = (statement: Statement) => [statement.Action].flat();
export const resourcesOf = (statement: Statement) => [statement.Resource].flat();

/** Look-ups over one template's resources (pass a getter: the template is synthesized in a beforeAll). */
export function templateReading(resourcesNow: () => Record<string, Resource>) {
  const logicalIdsOf = (type: string): string[] => Object.keys(resourcesNow()).filter((id) => resourcesNow()[id]?.Type === type);
  const onlyId = (type: string, prefix: string): string => {
    const ids = logicalIdsOf(type).filter((id) => id.startsWith(prefix));
    expect(ids, `${type} starting with ${prefix}`).toHaveLength(1);
    return ids[0] as string;
  };
  const roleIdOf = (fnId: string) => (resourcesNow()[fnId]?.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const statementsOfRole = (roleId: string): Statement[] =>
    logicalIdsOf('AWS::IAM::Policy')
      .map((id) => resourcesNow()[id]?.Properties as { Roles: unknown[]; PolicyDocument: { Statement: Statement[] } })
      .filter((policy) => policy.Roles.some((role) => JSON.stringify(role) === JSON.stringify({ Ref: roleId })))
      .flatMap((policy) => policy.PolicyDocument.Statement);
  return { logicalIdsOf, onlyId, roleIdOf, statementsOfRole };
}
