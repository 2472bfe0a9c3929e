import type { SpecIssue } from '../spec/spec-issue.js';

/**
 * Orders nodes so every input runs before its consumers, keeping the spec's own order where it already
 * is one (depth-first from each node in spec order). `inputs[i]` holds spec indices of node i's inputs.
 */
export function executionOrder(
  names: readonly string[],
  inputs: readonly (readonly number[])[],
): { readonly order: readonly number[] } | { readonly issue: SpecIssue } {
  const state = new Uint8Array(names.length); // 0 new, 1 on the current path, 2 done
  const order: number[] = [];
  const path: number[] = [];

  const visit = (start: number): SpecIssue | undefined => {
    // Iterative so a long chain of nodes cannot overflow the call stack.
    const stack: { node: number; next: number }[] = [{ node: start, next: 0 }];
    state[start] = 1;
    path.push(start);
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { node: number; next: number };
      const deps = inputs[top.node] ?? [];
      if (top.next < deps.length) {
        const slot = top.next++;
        const dep = deps[slot] as number;
        if (state[dep] === 1) {
          const loop = [...path.slice(path.indexOf(dep)), dep].map((i) => names[i]).join(' → ');
          return { code: 'cycle', path: `nodes[${top.node}].inputs[${slot}]`, message: `cycle ${loop}` };
        }
        if (state[dep] === 0) {
          state[dep] = 1;
          path.push(dep);
          stack.push({ node: dep, next: 0 });
        }
      } else {
        state[top.node] = 2;
        order.push(top.node);
        path.pop();
        stack.pop();
      }
    }
    return undefined;
  };

  for (let i = 0; i < names.length; i++) {
    if (state[i] !== 0) continue;
    const issue = visit(i);
    if (issue !== undefined) return { issue };
  }
  return { order };
}
