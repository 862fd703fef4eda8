/** A small recording for tests of the parser and of what is built on it (the player's timeline). */
export const SAMPLE_CAST = [
  JSON.stringify({ version: 2, width: 80, height: 24, timestamp: 1 }),
  '[0.5, "o", "a"]',
  '[1.0, "m", "start"]',
  '[11.0, "o", "b"]',
  '[11.5, "r", "100x30"]',
  '[40.0, "o", "c"]',
  '[40.2, "m", "exit 0"]',
  '[40.3, "o", "tor', // torn by a killed app
].join('\n');
