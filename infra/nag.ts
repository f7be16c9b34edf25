/**
 * cdk-nag 3 wiring and suppressions.
 *
 * cdk-nag 3 runs as a CDK policy-validation plugin (`Validations.of(app).addPlugins(...)`); its 2.x
 * `NagSuppressions` API is gone, and a finding is acknowledged with `Validations.of(construct).acknowledge(...)`
 * on the construct (or an ancestor) that produced it. A finding with details (IAM5 wildcards) is acknowledged
 * per detail as `RuleId[Detail]`, the v3 form of 2.x `appliesTo`.
 */
import { type App, type Stage, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, type NagPack, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/** The rule packs every synthesis of this app is checked against. */
export function nagPacks(scope: App | Stage): NagPack[] {
  return [new AwsSolutionsChecks(scope), new HIPAASecurityChecks(scope), new ServerlessChecks(scope)];
}

/** Registers the rule packs on the app: a violation (error level) fails `cdk synth`. */
export function addNagPacks(app: App | Stage): NagPack[] {
  const packs = nagPacks(app);
  Validations.of(app).addPlugins(...packs);
  return packs;
}

export interface Suppression {
  /** Rule id, e.g. `AwsSolutions-IAM5`. */
  id: string;
  /** Why the finding is acceptable here. Required and non-empty. */
  reason: string;
  /** Finding details (IAM5: `Action::kms:ReEncrypt*`, `Resource::<Key.Arn>`): only these are acknowledged. */
  appliesTo?: string[];
}

/**
 * Acknowledges findings on one construct and its children, never more: call it on the resource that draws the
 * finding. Every suppression needs a reason; with `appliesTo`, only those finding details are acknowledged.
 */
export function suppress(scope: IConstruct, suppressions: Suppression[]): void {
  for (const { id, reason, appliesTo } of suppressions) {
    if (!reason.trim()) throw new Error(`The suppression of ${id} on ${scope.node.path} has no reason`);
    const ids = appliesTo ? appliesTo.map((detail) => `${id}[${detail}]`) : [id];
    for (const ruleId of ids) Validations.of(scope).acknowledge({ id: ruleId, reason });
  }
}
