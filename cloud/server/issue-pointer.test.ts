import { describe, expect, it } from 'vitest';
import { childPointer, specIssuePointer } from './issue-pointer.js';

describe('specIssuePointer', () => {
  it('turns core paths into JSON Pointers under /spec', () => {
    expect(specIssuePointer('nodes[12].groups')).toBe('/spec/nodes/12/groups');
    expect(specIssuePointer('outputs[0]')).toBe('/spec/outputs/0');
    expect(specIssuePointer('name')).toBe('/spec/name');
    expect(specIssuePointer('')).toBe('/spec');
    expect(specIssuePointer('nodes[2].init', '')).toBe('/nodes/2/init');
  });

  it('escapes ~ and / in keys (RFC 6901)', () => {
    expect(childPointer('/spec', 'a/b~c')).toBe('/spec/a~1b~0c');
  });
});
