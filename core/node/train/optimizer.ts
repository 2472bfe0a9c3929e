import type * as tfc from '@tensorflow/tfjs';

export type OptimizerName = 'sgd' | 'adam';

export interface OptimizerOptions {
  readonly name: OptimizerName;
  /** SGD: heavy-ball momentum (PyTorch's, no dampening). */
  readonly momentum: number;
  /** L2 penalty added to the gradient, as PyTorch's `weight_decay`. */
  readonly weightDecay: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
}

/** The ReFrame authors' optimizer (DESIGN.md §1): SGD, momentum 0.9, weight decay 5e-4. */
export const PAPER_SGD: OptimizerOptions = { name: 'sgd', momentum: 0.9, weightDecay: 5e-4 };

/** Updates variables in place from their gradients; its slots can be saved and restored for resume. */
export interface Optimizer {
  step(grads: ReadonlyMap<tfc.Variable, tfc.Tensor>, lr: number): void;
  /** Slot tensors by `<variable id>.<slot>`, plus the step count, for a checkpoint. */
  slots(): Promise<{ step: number; values: Map<string, Float32Array> }>;
  restore(step: number, values: ReadonlyMap<string, Float32Array>): void;
  dispose(): void;
}

/**
 * PyTorch's update rules, so a recipe from a paper (SGD 0.1, momentum 0.9, weight decay 5e-4) means the
 * same here: SGD v = μv + (g + λw), w −= lr·v; Adam with bias correction and L2 in the gradient.
 */
export function createOptimizer(tf: typeof tfc, variables: readonly tfc.Variable[], ids: ReadonlyMap<tfc.Variable, string>, o: OptimizerOptions): Optimizer {
  let t = 0;
  const slotNames = o.name === 'sgd' ? ['momentum'] : ['m', 'v'];
  const slots = new Map<string, tfc.Variable>();
  for (const v of variables) for (const s of slotNames) slots.set(`${ids.get(v)}.${s}`, tf.variable(tf.zerosLike(v), false));
  const slot = (v: tfc.Variable, s: string) => slots.get(`${ids.get(v)}.${s}`) as tfc.Variable;
  const [b1, b2, eps] = [o.beta1 ?? 0.9, o.beta2 ?? 0.999, o.epsilon ?? 1e-8];

  return {
    step(grads, lr) {
      t++;
      tf.tidy(() => {
        for (const [v, g0] of grads) {
          const g = o.weightDecay === 0 ? g0 : tf.add(g0, tf.mul(v, o.weightDecay));
          if (o.name === 'sgd') {
            const buf = slot(v, 'momentum');
            // PyTorch starts the buffer at the first gradient, not at zero.
            const next = t === 1 || o.momentum === 0 ? g : tf.add(tf.mul(buf, o.momentum), g);
            buf.assign(next);
            v.assign(tf.sub(v, tf.mul(next, lr)));
          } else {
            const m = slot(v, 'm');
            const s = slot(v, 'v');
            m.assign(tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1)));
            s.assign(tf.add(tf.mul(s, b2), tf.mul(tf.square(g), 1 - b2)));
            const mHat = tf.div(m, 1 - b1 ** t);
            const vHat = tf.div(s, 1 - b2 ** t);
            v.assign(tf.sub(v, tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), eps)), lr)));
          }
        }
      });
    },
    async slots() {
      const values = new Map<string, Float32Array>();
      for (const [k, v] of slots) values.set(k, new Float32Array(await v.data()));
      return { step: t, values };
    },
    restore(step, values) {
      t = step;
      for (const [k, v] of slots) {
        const saved = values.get(k);
        if (saved === undefined || saved.length !== v.size) throw new Error(`the checkpoint has no optimizer slot ${k} of ${v.size} values`);
        v.assign(tf.tensor(saved, v.shape));
      }
    },
    dispose() {
      for (const v of slots.values()) v.dispose();
    },
  };
}
