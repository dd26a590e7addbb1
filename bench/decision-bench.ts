/** Decisions per second with the rule index versus a plain in-order scan, as the policy grows. */
import { RuleSet } from '../src/rules/rule-set';
import type { ConditionEnvironment } from '../src/rules/conditions';
import type { MatchableDevice } from '../src/rules/device-match';
import { approvedDevice, syntheticPolicy, unknownDevice } from './synthetic-policy';

export interface DecisionBenchRow {
  rules: number;
  indexPerSecond: number;
  scanPerSecond: number;
}

const ENV: ConditionEnvironment = { now: () => new Date(0), random: () => 0.5, allowedDevices: () => [] };

/** Runs `decide` over the probe devices for about `budgetMs`; returns decisions per second. */
function rate(decide: (d: MatchableDevice) => unknown, probes: readonly MatchableDevice[], budgetMs: number): number {
  let count = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(budgetMs) * 1_000_000n;
  let now = start;
  while (now < deadline) {
    for (const probe of probes) decide(probe);
    count += probes.length;
    now = process.hrtime.bigint();
  }
  return count / (Number(now - start) / 1e9);
}

export function runDecisionBench(sizes: readonly number[], budgetMs: number): DecisionBenchRow[] {
  return sizes.map((size) => {
    const set = new RuleSet(syntheticPolicy(size), 'block', () => () => false);
    // Half the probes are approved devices spread over the policy, half are unknown (decided by the implicit target).
    const probes = Array.from({ length: 64 }, (_, i) => {
      const n = Math.floor((i * Math.max(1, size - 3)) / 64);
      return i % 2 === 0 ? approvedDevice(n) : unknownDevice(n);
    });
    rate((d) => set.decide(d, ENV), probes, budgetMs / 4);
    return {
      rules: size,
      indexPerSecond: rate((d) => set.decide(d, ENV), probes, budgetMs),
      scanPerSecond: rate((d) => set.decideByScan(d, ENV), probes, budgetMs),
    };
  });
}
