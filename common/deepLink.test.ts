import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filesLink, parseFilesLink, parseTerminalLink, terminalLink } from './deepLink.ts';

const eks = { context: 'arn:aws:eks:eu-west-1:123:cluster/prod', namespace: 'default', pod: 'web-0', container: 'main' };

test('a terminal link names the container, every name encoded, and reads back', () => {
  assert.equal(terminalLink({ context: 'kd-test-1', namespace: 'default', pod: 'shell', container: 'main' }), '#/terminal/kd-test-1/default/shell/main');
  assert.equal(terminalLink(eks), '#/terminal/arn%3Aaws%3Aeks%3Aeu-west-1%3A123%3Acluster%2Fprod/default/web-0/main');
  assert.deepEqual(parseTerminalLink(terminalLink(eks)), eks);
  assert.deepEqual(parseTerminalLink('#/terminal/a/b/c/d/'), { context: 'a', namespace: 'b', pod: 'c', container: 'd' });
});

test('a terminal link that is malformed is no link', () => {
  assert.equal(parseTerminalLink('#/terminal/a/b/c'), undefined);
  assert.equal(parseTerminalLink('#/terminal/a/b/c/d/e'), undefined);
  assert.equal(parseTerminalLink('#/terminal/a/b/c/%E0%A4%A'), undefined);
  assert.equal(parseTerminalLink('#/files/a/b/c/d'), undefined);
  assert.equal(parseTerminalLink(''), undefined);
});

test('a files link carries the folder, its segments encoded and its slashes kept', () => {
  assert.equal(filesLink(eks), '#/files/arn%3Aaws%3Aeks%3Aeu-west-1%3A123%3Acluster%2Fprod/default/web-0/main/');
  assert.equal(filesLink(eks, '/var/my logs/100%'), `${filesLink(eks).slice(0, -1)}/var/my%20logs/100%25`);
  assert.equal(filesLink(eks, 'tmp'), `${filesLink(eks).slice(0, -1)}/tmp`, 'a relative path is taken from the root');
  assert.deepEqual(parseFilesLink(filesLink(eks, '/var/my logs/100%')), { ref: eks, path: '/var/my logs/100%' });
  assert.deepEqual(parseFilesLink('#/files/a/b/c/d'), { ref: { context: 'a', namespace: 'b', pod: 'c', container: 'd' }, path: '/' });
});

test('a files link that is malformed is no link', () => {
  assert.equal(parseFilesLink('#/files/a/b/c'), undefined);
  assert.equal(parseFilesLink('#/files/a/b/c/%zz/tmp'), undefined);
  assert.equal(parseFilesLink('#/files/a/b/c/d/%zz'), undefined);
  assert.equal(parseFilesLink(terminalLink(eks)), undefined);
});
