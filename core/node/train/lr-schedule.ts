export type ScheduleName = 'cosine' | 'step' | 'constant';

export interface Schedule {
  readonly name: ScheduleName;
  /** step: multiply by `gamma` every `every` epochs (PyTorch's StepLR). */
  readonly every?: number;
  readonly gamma?: number;
}

/**
 * The learning rate of an epoch (0-based), stepped once per epoch as PyTorch's schedulers are in the
 * paper's recipe: cosine is CosineAnnealingLR with T_max = epochs and eta_min = 0.
 */
export function learningRate(base: number, epoch: number, epochs: number, s: Schedule): number {
  switch (s.name) {
    case 'constant':
      return base;
    case 'cosine':
      return (base * (1 + Math.cos((Math.PI * epoch) / epochs))) / 2;
    case 'step':
      return base * (s.gamma ?? 0.1) ** Math.floor(epoch / (s.every ?? 30));
  }
}
