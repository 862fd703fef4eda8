import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sshCiphers, sshKeepalive } from './sshSettings.ts';

const from = (values: Record<string, unknown>) => ({ get: <T,>(k: string, d: T): T => (k in values ? (values[k] as T) : d) });

describe('ssh keepalive settings', () => {
  it('defaults to 15 s × 3', () => {
    assert.deepEqual(sshKeepalive(from({})), { keepaliveMs: 15_000, keepaliveCountMax: 3 });
  });
  it('takes seconds (fractions too) and a count', () => {
    assert.deepEqual(sshKeepalive(from({ 'ssh.keepaliveSeconds': 0.5, 'ssh.keepaliveCountMax': 0 })), { keepaliveMs: 500, keepaliveCountMax: 0 });
  });
  it('ignores nonsense rather than turning keepalive off', () => {
    assert.deepEqual(sshKeepalive(from({ 'ssh.keepaliveSeconds': 0, 'ssh.keepaliveCountMax': -1 })), { keepaliveMs: 15_000, keepaliveCountMax: 3 });
    assert.deepEqual(sshKeepalive(from({ 'ssh.keepaliveSeconds': '10', 'ssh.keepaliveCountMax': 1.5 })), { keepaliveMs: 15_000, keepaliveCountMax: 3 });
  });
  it('ssh.ciphers: "auto" unless it says "all"', () => {
    assert.deepEqual(sshCiphers(from({})), { ciphers: 'auto' });
    assert.deepEqual(sshCiphers(from({ 'ssh.ciphers': 'all' })), { ciphers: 'all' });
    assert.deepEqual(sshCiphers(from({ 'ssh.ciphers': 'fast' })), { ciphers: 'auto' });
  });
});
