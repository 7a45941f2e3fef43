// Types of run.mjs for the tests that drive it.

/** One step of a program (test/diff/steps.md): an op and its arguments. */
export interface Step {
  op: string;
  [arg: string]: unknown;
}

/** A step's outcome: a value, an error, or how the interpreter ended before it. */
export type Result =
  | { v: unknown }
  | { e: string; errno: number | null; msg: string; partial?: unknown; expected?: number | null; consumed?: number }
  | { hang: true }
  | { died: string };

export interface SideRun {
  results: Result[];
  hung?: true;
  died?: string;
}

export interface Runs {
  python: SideRun;
  node: SideRun;
}

export interface Mismatch {
  index: number;
  step: Step;
  python: Result;
  node: Result;
}

export type Verdict =
  | { ok: true; known?: string; accepted?: string; stopped?: number }
  | { ok: false; mismatch: Mismatch };

/** How many of `steps`, from the first, the generator's model lets a program make in that order. */
export function admitted(steps: Step[]): number;

export class Runner {
  programs: number;
  steps: number;
  coverage: Record<string, Record<string, number>>;
  known: Record<string, number>;
  run(steps: Step[]): Promise<Runs>;
  close(): void;
}

export function compare(steps: Step[], runs: Runs, accepted?: Set<string>): Verdict;
export function mismatchKey(m: Mismatch): string;
export function report(steps: Step[], runs: Runs, mismatch: Mismatch): string;
export function replay(runner: Runner, steps: Step[]): Promise<{ runs: Runs; verdict: Verdict }>;
export function fuzz(
  runner: Runner,
  options: { seed: number; numRuns: number; maxSteps?: number; accepted?: Set<string>; timeLimitMs?: number },
): Promise<{ runs: number; failure: { steps: Step[]; runs: Runs; mismatch: Mismatch } | null; error?: string }>;
