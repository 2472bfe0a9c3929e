import type { z } from 'zod';

/** A logical activation shape without the batch: [C, H, W] for images, [F] for flat vectors. */
export type Shape = readonly number[];

/** A parameter tensor an op owns, in PyTorch's canonical order (OIHW for conv, [out, in] for dense). */
export interface ParamDecl {
  readonly param: string;
  readonly shape: Shape;
}

/** A problem found while inferring a node's shape; `field` is relative to the node (e.g. `groups`). */
export interface OpProblem {
  readonly field: string;
  readonly message: string;
}

export type ShapeResult = { readonly ok: true; readonly shape: Shape } | { readonly ok: false; readonly problem: OpProblem };

/**
 * Memory an op needs while it runs, in elements (the budget multiplies by the activation width).
 * `aliasesInput` marks ops that only reinterpret their input (flatten): they get no buffer of their own.
 */
export interface OpMemory {
  readonly outputElements: number;
  readonly workspaceElements: number;
  readonly aliasesInput: boolean;
}

/**
 * Everything the studio knows about one op kind. The functions are pure and take the node's attributes
 * with defaults already applied, so the budget is their sum and not a second model of the network.
 */
export interface OpDef<Attrs> {
  readonly op: string;
  /** The op's node in the spec format (strict: unknown keys are errors). */
  readonly schema: z.ZodType;
  /** Minimum and maximum number of inputs. */
  readonly arity: readonly [number, number];
  /** Fills in the defaults of optional fields. */
  resolve(node: Record<string, unknown>): Attrs;
  outputShape(attrs: Attrs, inputs: readonly Shape[]): ShapeResult;
  params(attrs: Attrs, inputs: readonly Shape[]): readonly ParamDecl[];
  /** Non-trained tensors that still travel with the model (BatchNorm running statistics). */
  stateElements(attrs: Attrs, inputs: readonly Shape[]): number;
  /** Multiply-accumulates of conv and dense weights (bias adds are other ops). */
  macs(attrs: Attrs, inputs: readonly Shape[], output: Shape): number;
  /** Every other arithmetic operation: comparisons, adds, divides, bias adds, BN scale and shift. */
  otherOps(attrs: Attrs, inputs: readonly Shape[], output: Shape): number;
  memory(attrs: Attrs, inputs: readonly Shape[], output: Shape): OpMemory;
}
