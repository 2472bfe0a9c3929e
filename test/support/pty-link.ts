// The tests' pty pair is the bench's: one socat helper (bench/support/socat-pty.ts) for both.
export { socatPty as ptyLink, type SocatPty as PtyLink } from '../../bench/support/socat-pty.js';
