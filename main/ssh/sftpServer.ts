/**
 * One SFTP session over a raw subsystem channel: INIT → VERSION (with our extensions), then requests
 * carried out in order and answered strictly in request order — out-of-order READ replies truncated
 * OpenSSH scp downloads, out-of-order WRITE replies hung paramiko's put. At most MAX_IN_FLIGHT requests
 * wait for an answer: past that the channel is paused, so a fast uploader cannot fill our memory, and
 * replies wait for the channel's window ('drain') rather than pile up in ssh2's buffer.
 */
import type { Duplex } from 'node:stream';
import { decodeRequest, encodeReply, initVersion, PacketReader, STATUS, versionPacket, type Reply, type Request } from './sftpCodec.ts';

const MAX_IN_FLIGHT = 64;

export interface SftpHandler {
  handle(r: Request): Promise<Reply>;
  /** The session is over (client done or gone): finish what is open. */
  closeAll(): Promise<void>;
}

/** Resolves when the client has ended the session (EOF or close) and every handle is finished. */
export function serveSftp(channel: Duplex, handler: SftpHandler): Promise<void> {
  const reader = new PacketReader();
  let started = false;
  let inFlight = 0;
  let paused = false;
  /**
   * Requests are carried out one after another, as sftp-server does: clients pipeline requests that
   * depend on each other (sshfs sends OPEN with CREAT and, without waiting, LSTAT of the same file).
   */
  let work: Promise<unknown> = Promise.resolve();
  /** The reply chain: each reply is written after the one before it. */
  let tail: Promise<void> = Promise.resolve();
  let gone = false;

  const send = async (b: Buffer): Promise<void> => {
    if (gone) return;
    if (!channel.write(b)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          channel.off('drain', done);
          channel.off('close', done);
          resolve();
        };
        channel.on('drain', done);
        channel.on('close', done);
      });
    }
  };

  const onRequest = (r: Request) => {
    inFlight++;
    if (inFlight >= MAX_IN_FLIGHT && !paused) {
      paused = true;
      channel.pause();
    }
    const answer: Promise<Reply> = work.then(() => handler.handle(r)).catch((e: Error): Reply => ({ status: STATUS.FAILURE, message: e.message }));
    work = answer;
    tail = tail.then(async () => {
      const reply = await answer;
      await send(encodeReply(r.id, reply));
      inFlight--;
      if (paused && inFlight < MAX_IN_FLIGHT / 2) {
        paused = false;
        channel.resume();
      }
    });
  };

  return new Promise<void>((resolve) => {
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      void tail.then(() => handler.closeAll()).catch(() => undefined).then(() => resolve());
    };
    channel.on('data', (chunk: Buffer) => {
      let packets: Buffer[];
      try {
        packets = reader.push(chunk);
      } catch {
        gone = true;
        return finish();
      }
      for (const p of packets) {
        if (!started) {
          // The first packet must be INIT; we speak version 3 whatever the client offers (all do).
          if (initVersion(p) === undefined) {
            gone = true;
            return finish();
          }
          started = true;
          tail = tail.then(() => send(versionPacket()));
          continue;
        }
        let r: Request;
        try {
          r = decodeRequest(p);
        } catch {
          const id = p.length >= 5 ? p.readUInt32BE(1) : 0;
          tail = tail.then(() => send(encodeReply(id, { status: STATUS.BAD_MESSAGE })));
          continue;
        }
        onRequest(r);
      }
    });
    channel.on('end', finish);
    channel.on('close', () => {
      gone = true;
      finish();
    });
    channel.on('error', () => undefined);
    channel.resume(); // the subsystem paused it while it chose who answers
  });
}
