import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** A justified exception to a cdk-nag rule, kept next to the resource it concerns. */
export interface NagAcknowledgement {
  /** Rule id, e.g. `AwsSolutions-IAM5`. */
  readonly id: string;
  readonly reason: string;
  /**
   * Exact findings of a multi-finding rule (e.g. `Resource::*`); each becomes `id[finding]`.
   * Without it the whole rule is acknowledged for single-finding rules.
   */
  readonly findings?: readonly string[];
}

/**
 * Acknowledges cdk-nag findings on `scope` and its children through CDK's native validation
 * acknowledgements (cdk-nag v3). Every acknowledgement carries its reason into the cloud assembly.
 */
export function acknowledge(scope: IConstruct, acknowledgements: readonly NagAcknowledgement[]): void {
  Validations.of(scope).acknowledge(
    ...acknowledgements.flatMap((a) =>
      a.findings
        ? a.findings.map((f) => ({ id: `${a.id}[${f}]`, reason: a.reason }))
        : [{ id: a.id, reason: a.reason }],
    ),
  );
}

/** Flattens a resolved CloudFormation value the way cdk-nag names IAM findings (`<Logical.Attr>`, `<AWS::AccountId>`). */
function flatten(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const v = value as Record<string, unknown>;
  if (Array.isArray(v['Fn::Join'])) {
    const [delimiter, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(flatten).join(delimiter);
  }
  if (v['Fn::Sub'] !== undefined) return flatten(v['Fn::Sub']);
  if (Array.isArray(v['Fn::GetAtt'])) {
    const [resource, attribute] = v['Fn::GetAtt'] as [unknown, unknown];
    return `<${flatten(resource)}.${flatten(attribute)}>`;
  }
  if (v['Fn::ImportValue'] !== undefined) return flatten(v['Fn::ImportValue']);
  if (v.Ref !== undefined) return `<${flatten(v.Ref)}>`;
  return JSON.stringify(value);
}

/** The `Resource::...` finding cdk-nag's IAM5 reports for a wildcard resource ARN used in `scope`'s stack. */
export function resourceFinding(scope: IConstruct, arn: string): string {
  return `Resource::${flatten(Stack.of(scope).resolve(arn))}`;
}
