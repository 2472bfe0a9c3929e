import { toHex } from '../../core/package/tensor-digest.js';
import { openPackage } from './inspect-command.js';

/** `reframe diff`: which tensors and nodes differ between two packages. */
export async function diffCommand(a: string, b: string): Promise<string> {
  const [pa, pb] = [await openPackage(a), await openPackage(b)];
  const lines: string[] = [];
  const nodesA = new Map(pa.graph.nodes.map((n) => [n.name, `${n.op} [${n.outputShape.join(',')}] <- ${n.inputs.map((i) => pa.graph.nodes[i]?.name).join(',')}`]));
  const nodesB = new Map(pb.graph.nodes.map((n) => [n.name, `${n.op} [${n.outputShape.join(',')}] <- ${n.inputs.map((i) => pb.graph.nodes[i]?.name).join(',')}`]));
  for (const [name, desc] of nodesA) {
    if (!nodesB.has(name)) lines.push(`- node ${name}: ${desc}`);
    else if (nodesB.get(name) !== desc) lines.push(`~ node ${name}: ${desc} → ${nodesB.get(name)}`);
  }
  for (const [name, desc] of nodesB) if (!nodesA.has(name)) lines.push(`+ node ${name}: ${desc}`);

  const ta = new Map(pa.tensors.map((t) => [t.id, t]));
  const tb = new Map(pb.tensors.map((t) => [t.id, t]));
  let same = 0;
  for (const [id, t] of ta) {
    const u = tb.get(id);
    if (u === undefined) lines.push(`- tensor ${id}`);
    else if (toHex(t.digest) !== toHex(u.digest) || t.mode !== u.mode || t.dtype !== u.dtype) {
      const how = t.mode !== u.mode ? `mode ${t.mode} → ${u.mode}` : t.dtype !== u.dtype ? `dtype ${t.dtype} → ${u.dtype}` : 'values changed';
      lines.push(`~ tensor ${id}: ${how}`);
    } else same++;
  }
  for (const id of tb.keys()) if (!ta.has(id)) lines.push(`+ tensor ${id}`);
  const head = `${a} → ${b}: ${pa.totalSize} → ${pb.totalSize} bytes; ${same} tensors unchanged, ${lines.filter((l) => l.includes('tensor')).length} differ`;
  return `${[head, ...lines].join('\n')}\n`;
}
