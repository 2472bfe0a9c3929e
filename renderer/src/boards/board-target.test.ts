import { describe, expect, it } from 'vitest';
import { isTarget, networkTarget, serialTarget, targetLabel } from './board-target.js';

describe('board targets typed by hand', () => {
  it('reads a serial port and its baud rate', () => {
    expect(serialTarget(' /dev/pts/4 ', 921600)).toEqual({ kind: 'serial', path: '/dev/pts/4', baud: 921600 });
    expect(serialTarget('', 115200)).toMatchObject({ message: 'no serial port given' });
    expect(serialTarget('/dev/ttyACM0', 0)).toMatchObject({ hint: expect.stringContaining('115200') });
    expect(serialTarget('/dev/ttyACM0', null)).toMatchObject({ message: 'null is not a baud rate' });
  });

  it('reads host:port, IPv6 in brackets, and refuses the rest', () => {
    expect(networkTarget('192.168.1.20:5577')).toEqual({ kind: 'tcp', host: '192.168.1.20', port: 5577 });
    expect(networkTarget('[fe80::1]:5577')).toEqual({ kind: 'tcp', host: 'fe80::1', port: 5577 });
    expect(isTarget(networkTarget('board.local'))).toBe(false);
    expect(isTarget(networkTarget('fe80::1:5577'))).toBe(false);
    expect(isTarget(networkTarget('b:70000'))).toBe(false);
  });

  it('names a target as the UI shows it', () => {
    expect(targetLabel({ kind: 'serial', path: '/dev/ttyACM0', baud: 115200 })).toBe('/dev/ttyACM0 at 115200 baud');
    expect(targetLabel({ kind: 'tcp', host: 'fe80::1', port: 5577 })).toBe('[fe80::1]:5577');
  });
});
