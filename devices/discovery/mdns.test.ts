import { Service } from 'bonjour-service';
import { describe, expect, it } from 'vitest';
import { advertiseAgent, agentFromService, agentsFromServices, browseAgents } from './mdns.js';

/** A service record as bonjour's browser builds it from an answer. */
function service(name: string, port: number, extra: Partial<Service> = {}): Service {
  const s = new Service({ name, type: 'reframe', protocol: 'tcp', port, host: 'board.local', txt: { name, runtime: 'reframe-agent 0.1.0', version: '1' } }, () => undefined, () => undefined);
  return Object.assign(s, extra);
}

describe('mDNS agent records', () => {
  it('reads name, runtime and version from TXT and prefers the address the answer came from', () => {
    const s = service('bench-pi', 5577, { addresses: ['fd00::7', '10.1.2.3'], referer: { address: '10.1.2.3', family: 'IPv4', port: 5353, size: 300 } });
    expect(agentFromService(s)).toEqual({ name: 'bench-pi', host: '10.1.2.3', port: 5577, runtime: 'reframe-agent 0.1.0', version: '1' });
  });

  it('falls back to an announced IPv4 address, then the host name; TXT as bytes is read too', () => {
    const s = service('x', 6000, { addresses: ['fd00::7', '10.9.9.9'] });
    expect(agentFromService(s)?.host).toBe('10.9.9.9');
    const bare = service('y', 6001, { txt: { name: new TextEncoder().encode('bytes-name'), runtime: 'r', version: '1' } });
    expect(agentFromService(bare)).toMatchObject({ host: 'board.local', name: 'bytes-name' });
  });

  it('drops records without a port and merges one agent seen on two interfaces', () => {
    const seenTwice = [service('b', 5577, { addresses: ['10.0.0.2'] }), service('b', 5577, { addresses: ['10.0.0.2'] }), service('a', 5577, { addresses: ['10.0.0.1'] }), service('z', 1, { port: 0 })];
    expect(agentsFromServices(seenTwice).map((a) => `${a.name}@${a.host}:${a.port}`)).toEqual(['a@10.0.0.1:5577', 'b@10.0.0.2:5577']);
  });

  // Real multicast, kept on the loopback interface so no packet leaves the machine.
  it('an advertised agent is found by a browser on the loopback interface, and gone after stop', async () => {
    const name = `reframe-test-${process.pid}-${Date.now() % 100000}`;
    const errors: Error[] = [];
    const ad = advertiseAgent({ name, port: 45577, runtime: 'reframe-agent test', version: '1', interface: '127.0.0.1', onError: (e) => errors.push(e) });
    try {
      const found = await browseAgents(1500, { interface: '127.0.0.1' });
      expect(found.find((a) => a.name === name)).toEqual({ name, host: '127.0.0.1', port: 45577, runtime: 'reframe-agent test', version: '1' });
    } finally {
      await ad.stop();
    }
    const after = await browseAgents(800, { interface: '127.0.0.1' });
    expect(after.find((a) => a.name === name)).toBeUndefined();
    expect(errors).toEqual([]);
  }, 15_000);
});
