import { AgentInference } from '../../devices/agent/agent-inference.js';
import { BoardAgent } from '../../devices/agent/board-agent.js';
import { openSlotStore } from '../../devices/agent/slot-store.js';
import { openUploadStore } from '../../devices/agent/upload-store.js';
import { createMockPair, type MockTransport, type MockWire } from '../../devices/transport/mock-transport.js';
import type { BoardConnector } from './board-link.js';
import { scratchDir } from './studio-services.fixture.js';

/**
 * The TypeScript board agent on a scratch store, reached over the in-memory pair: each connect gives a
 * new link, and closing the studio's end pulls the cable, so the agent lets go of it.
 */
export async function mockBoard(o: { readonly wire?: MockWire } = {}): Promise<{ connect: BoardConnector; agent: BoardAgent; links: MockTransport[]; stop: () => Promise<void> }> {
  const scratch = await scratchDir('studio-board-');
  const limit = 1 << 22;
  const inference = await AgentInference.start('auto');
  const agent = new BoardAgent({
    slots: await openSlotStore(scratch.dir),
    uploads: await openUploadStore(scratch.dir, { limit }),
    inference,
    policy: { requireSignature: false, verifier: undefined, maxBytes: limit },
    name: 'mock board',
    report: () => undefined,
  });
  const links: MockTransport[] = [];
  const connect: BoardConnector = async () => {
    // The agent serves one link at a time: wait until it has let go of the last one.
    for (let i = 0; i < 200 && agent.busy; i++) await new Promise((r) => setTimeout(r, 10));
    const [studio, board] = createMockPair(o.wire);
    links.push(studio);
    void agent.serve(board);
    return {
      label: 'mock link',
      write: (bytes) => studio.write(bytes),
      onData: (l) => studio.onData(l),
      onClose: (l) => studio.onClose(l),
      close: async () => studio.unplug(),
    };
  };
  return {
    connect,
    agent,
    links,
    stop: async () => {
      await agent.stop();
      inference.dispose();
      await scratch.remove();
    },
  };
}
