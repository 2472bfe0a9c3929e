/** What to tell a person whose link to a board went away mid-way; the push protocol resumes (docs/protocol.md). */
export const DISCONNECTED_HINT = 'the board was unplugged or its link went away: reconnect it and run the same command again — the push resumes where it stopped';
