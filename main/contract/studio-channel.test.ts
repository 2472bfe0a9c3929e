import { describe, expect, it } from 'vitest';
import { studioChannel, type StudioBridge } from './studio-channel.js';

const location = { protocol: 'http:', host: '127.0.0.1:4000', search: '' };

describe('studioChannel', () => {
  it("uses Electron's bridge when the preload put one on the window", () => {
    const bridge: StudioBridge = { send: () => undefined, onMessage: () => () => undefined };
    expect(studioChannel({ studio: bridge, location })).toBe(bridge);
  });

  it('asks for the address the studio printed when the page has no token', () => {
    expect(() => studioChannel({ location })).toThrow(/no studio token.*address the studio printed/);
    expect(() => studioChannel({ location: { ...location, search: '?token=' } })).toThrow(/no studio token/);
  });
});
