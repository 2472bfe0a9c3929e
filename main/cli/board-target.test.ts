import { describe, expect, it } from 'vitest';
import { openBoard, parseHostPort } from './board-target.js';
import { CliError } from './cli-error.js';

describe('board targets', () => {
  it('read host, host:port and [ipv6]:port, with 5577 by default', () => {
    expect(parseHostPort('bench-pi.local')).toEqual({ host: 'bench-pi.local', port: 5577 });
    expect(parseHostPort('10.0.0.7:6000')).toEqual({ host: '10.0.0.7', port: 6000 });
    expect(parseHostPort('[fd00::7]:6001')).toEqual({ host: 'fd00::7', port: 6001 });
    expect(parseHostPort('[::1]')).toEqual({ host: '::1', port: 5577 });
    for (const bad of ['host:0', 'host:70000', 'host:x', 'a:b:c', '']) expect(() => parseHostPort(bad)).toThrow(CliError);
  });

  it('need exactly one of --port and --host, and --baud only with a serial port', async () => {
    await expect(openBoard({})).rejects.toThrow(/--port <path> \(serial\) or --host/);
    await expect(openBoard({ port: '/dev/null', host: 'x' })).rejects.toThrow(CliError);
    await expect(openBoard({ host: 'x', baud: '9600' })).rejects.toThrow(/--baud and --throttle are for serial ports/);
    await expect(openBoard({ port: '/dev/null', baud: 'fast' })).rejects.toThrow(/--baud fast/);
  });
});
