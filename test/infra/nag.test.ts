/**
 * cdk-nag: the AWS Solutions, HIPAA Security and Serverless packs find nothing unacknowledged, every
 * acknowledgment says why, sits on a resource (not the stack) and still answers a real finding.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { addNagPacks, nagPacks } from '../../infra/nag.ts';
import { PipelineStack, type PipelineStackProps } from '../../infra/stack.ts';
import { extendedTopology } from './helpers.ts';

const ACKNOWLEDGED = Validations.ACKNOWLEDGED_RULES_METADATA_KEY;

function build(props: PipelineStackProps = {}): { app: App; stack: Stack } {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new PipelineStack(app, 'Pipeline', { allowMissingEntries: true, ...props });
  return { app, stack };
}

function findings(app: App): { rule: string; severity: string; path: string }[] {
  return nagPacks(app).flatMap((pack) =>
    pack.validateScope(app).violations.flatMap((v) =>
      v.violatingResources.map((r) => ({
        rule: v.ruleName,
        severity: v.severity ?? 'error',
        path: r.constructPath!,
      })),
    ),
  );
}

function acknowledgments(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === ACKNOWLEDGED)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({
          path: c.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('cdk-nag', () => {
  it('synthesis with the packs as validation plugins succeeds and reports no violation', () => {
    const { app } = build();
    addNagPacks(app);
    const assembly = app.synth();
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as {
      pluginReports: { violations?: unknown[] }[];
    };
    expect(report.pluginReports.flatMap((r) => r.violations ?? [])).toEqual([]);
  });

  it('leaves no unacknowledged error or warning in the real stack', () => {
    expect(findings(build().app)).toEqual([]);
  });

  it('leaves none either for SQS consumers and bucket readers and writers', () => {
    expect(findings(build({ topology: extendedTopology() }).app)).toEqual([]);
  });

  it('a finding that is not acknowledged fails synthesis', () => {
    vi.spyOn(Validations.prototype, 'acknowledge').mockImplementation(() => {});
    const { app } = build();
    addNagPacks(app);
    expect(() => app.synth()).toThrow(/Acknowledge with 'Serverless::Serverless-LambdaDLQ'/);
  });

  it('every acknowledgment has a specific reason and sits below the stack, on a resource', () => {
    const { stack } = build({ topology: extendedTopology() });
    const acks = acknowledgments(stack.node.root);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.reason.trim().length, `${ack.id} on ${ack.path}`).toBeGreaterThanOrEqual(40);
      expect(ack.path.split('/').length, `${ack.id} on ${ack.path}`).toBeGreaterThan(1);
    }
  });

  it('every acknowledgment answers a finding the packs really make (no stale or speculative suppression)', () => {
    for (const topology of [undefined, extendedTopology()]) {
      // Record acknowledgments instead of applying them, then check each against the raw findings.
      const recorded: { path: string; id: string }[] = [];
      vi.spyOn(Validations.prototype, 'acknowledge').mockImplementation(function (
        this: Validations,
        ...rules: { id: string }[]
      ) {
        const scope = (this as unknown as { scope: IConstruct }).scope;
        for (const rule of rules) recorded.push({ path: scope.node.path, id: rule.id });
      });
      const raw = findings(build(topology ? { topology } : {}).app);
      vi.restoreAllMocks();
      expect(recorded.length).toBeGreaterThan(0);
      for (const ack of recorded) {
        const answered = raw.some(
          (f) => f.rule === ack.id && (f.path === ack.path || f.path.startsWith(`${ack.path}/`)),
        );
        expect(answered, `${ack.id} on ${ack.path}`).toBe(true);
      }
    }
  });
});
