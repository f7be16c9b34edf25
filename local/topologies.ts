import { REPORTING_QUEUES } from '#doses/outbox/publish.ts';
import { topology } from '../infra/topology.ts';
import type { LocalTopology } from './runtime.ts';

/**
 * The pipeline without the consumers of the reporting queues: tests and benchmarks of intake read those
 * queues themselves, as the boundary of what intake promises (one message per stored change).
 */
export function intakeOnly(t: LocalTopology = topology as unknown as LocalTopology): LocalTopology {
  const reporting = new Set<string>(REPORTING_QUEUES);
  return {
    ...t,
    functions: Object.fromEntries(
      Object.entries(t.functions).map(([name, spec]) => {
        const trigger = (spec as { sqs?: { queue: string } }).sqs;
        if (!trigger || !reporting.has(trigger.queue)) return [name, spec];
        const { sqs: _consumer, ...rest } = spec as typeof spec & { sqs?: unknown };
        return [name, rest];
      }),
    ),
  } as LocalTopology;
}
