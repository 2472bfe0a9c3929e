import type { SpecDocument, SpecNode } from '../spec/spec-document.js';
import { SPEC_FORMAT, SPEC_VERSION } from '../spec/spec-document.js';

/** Collects nodes in execution order; each `add` returns the node's name for the next node's inputs. */
export class SpecBuilder {
  private readonly nodes: SpecNode[] = [];

  add(node: SpecNode): string {
    this.nodes.push(node);
    return node.name;
  }

  build(name: string, description: string, outputs: readonly string[]): SpecDocument {
    return { format: SPEC_FORMAT, version: SPEC_VERSION, name, description, nodes: [...this.nodes], outputs: [...outputs] };
  }
}

/** Adds 64-bit seeds as unsigned integers modulo 2^64 and prints them as 16 hex digits. */
export function offsetSeed(base: string, offset: number): string {
  const value = (BigInt(base) + BigInt(offset)) & 0xffff_ffff_ffff_ffffn;
  return `0x${value.toString(16).padStart(16, '0')}`;
}
