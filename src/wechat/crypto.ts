import { createCipheriv, createDecipheriv, type Cipher, type Decipher } from 'node:crypto';
import { ConfigError, ProtocolError } from '../errors.js';
import { pooledRandomBytes } from './random.js';

/** Randomness source; tests pass a fixed one to reproduce WeChat's published vectors. */
export type RandomBytes = (size: number) => Buffer;

const BLOCK = 32;

/** Decodes a 43-character EncodingAESKey into the 32-byte AES key. */
export function decodeAESKey(encodingAESKey: string): Buffer {
  if (typeof encodingAESKey !== 'string' || !/^[A-Za-z0-9+/]{43}$/.test(encodingAESKey)) {
    throw new ConfigError(`encodingAESKey: expected 43 characters of base64, got ${typeof encodingAESKey === 'string' ? `${encodingAESKey.length} characters` : typeof encodingAESKey}`);
  }
  return Buffer.from(`${encodingAESKey}=`, 'base64');
}

function unpad(data: Buffer): Buffer {
  const n = data[data.length - 1] ?? 0;
  // WeChat pads to 32-byte blocks, so a pad byte of 17..32 is valid (Web Crypto would reject it).
  if (n < 1 || n > BLOCK || n > data.length) throw badPadding();
  for (let i = data.length - n; i < data.length; i++) if (data[i] !== n) throw badPadding();
  return data.subarray(0, data.length - n);
}

/** XORs `a` and `b` into the first 16 bytes (one AES block) of `block`. */
function xorBlock(block: Buffer, a: Buffer, b: Buffer): void {
  for (let i = 0; i < 16; i++) block[i]! ^= a[i]! ^ b[i]!;
}

function badPadding(): ProtocolError {
  return new ProtocolError('DECRYPT_FAILED', 400, 'decryption failed: bad PKCS#7 padding; the EncodingAESKey does not match the one set in WeChat');
}

/**
 * WeChat's message encryption (AES-256-CBC, IV = first 16 key bytes, PKCS#7 to
 * 32-byte blocks) over `random(16) | length(4, big-endian) | message | appId`.
 *
 * @example
 * const crypto = new MessageCrypto({ encodingAESKey, appId: 'wx123' });
 * const xml = crypto.decrypt(encrypt); // throws unless the AppID is wx123
 */
export class MessageCrypto {
  readonly appId: string;
  private readonly key: Buffer;
  private readonly iv: Buffer;
  private readonly random: RandomBytes;
  // One long-lived CBC cipher and decipher: creating them cost more than the AES work itself
  // (about 4 µs each). Inputs are always whole blocks, so nothing is held back between calls,
  // but CBC chains each message to the last ciphertext block of the one before instead of
  // the IV. Encrypting, XOR-ing that block and the IV into the first plaintext block cancels
  // it: the output is byte for byte a fresh cipher's. Decrypting, only the first plaintext
  // block comes out wrong, and that block is the random prefix, which is thrown away.
  private readonly cipher: Cipher;
  private readonly decipher: Decipher;
  private cipherChain: Buffer;
  private readonly appIdBytes: Buffer;

  constructor(options: { encodingAESKey: string; appId: string; random?: RandomBytes }) {
    if (typeof options?.appId !== 'string' || options.appId === '') {
      throw new ConfigError(`appId: expected the AppID (wx...), got ${JSON.stringify(options?.appId)}`);
    }
    this.key = decodeAESKey(options.encodingAESKey);
    this.iv = this.key.subarray(0, 16);
    this.appId = options.appId;
    this.random = options.random ?? pooledRandomBytes;
    this.cipher = createCipheriv('aes-256-cbc', this.key, this.iv).setAutoPadding(false);
    this.decipher = createDecipheriv('aes-256-cbc', this.key, this.iv).setAutoPadding(false);
    this.cipherChain = Buffer.from(this.iv);
    this.appIdBytes = Buffer.from(this.appId, 'utf8');
  }

  /** Encrypts `message` (UTF-8) into the base64 `Encrypt` value. */
  encrypt(message: string): string {
    const size = Buffer.byteLength(message, 'utf8');
    const framed = 20 + size + this.appIdBytes.length;
    // PKCS#7 to 32-byte blocks: 1..32 bytes, each holding the count.
    const padding = BLOCK - (framed % BLOCK);
    // random(16) | length(4, big-endian) | message | AppID | padding, written into one buffer;
    // every byte is set, so the unzeroed allocation shows nothing old.
    const plain = Buffer.allocUnsafe(framed + padding);
    const prefix = this.random(16);
    if (prefix.length !== 16) throw new ConfigError(`random: expected 16 bytes, got ${prefix.length}`);
    prefix.copy(plain, 0);
    plain.writeUInt32BE(size, 16);
    plain.write(message, 20, 'utf8');
    this.appIdBytes.copy(plain, 20 + size);
    plain.fill(padding, framed);
    xorBlock(plain, this.iv, this.cipherChain);
    const out = this.cipher.update(plain);
    this.cipherChain = Buffer.from(out.subarray(out.length - 16));
    return out.toString('base64');
  }

  /**
   * Decrypts an `Encrypt` value and returns the message. Throws a ProtocolError
   * (400) on a malformed payload, bad padding or a foreign AppID.
   */
  decrypt(encrypted: string): string {
    const { message, appId } = this.open(encrypted);
    if (appId !== this.appId) {
      throw new ProtocolError('APPID_MISMATCH', 400, `decrypted message is for AppID ${JSON.stringify(appId)}, expected ${JSON.stringify(this.appId)}; check WECHAT_APP_ID`);
    }
    return message;
  }

  /** Decrypts without checking the AppID; for tools that want to show what arrived. */
  open(encrypted: string): { message: string; appId: string } {
    const data = Buffer.from(encrypted, 'base64');
    // Node's decoder skips characters outside base64; encoding back and comparing refuses them
    // (and non-canonical padding) at a fraction of a regular expression's cost on ~500 characters.
    if (data.length === 0 || data.length % 16 !== 0 || data.toString('base64') !== encrypted) {
      throw new ProtocolError('DECRYPT_FAILED', 400, 'decryption failed: Encrypt is not base64 of whole AES blocks');
    }
    const plain = unpad(this.decipher.update(data));
    if (plain.length < 20) throw new ProtocolError('DECRYPT_FAILED', 400, 'decryption failed: payload too short');
    // Read the length before anything else: the message itself keeps its newlines.
    const size = plain.readUInt32BE(16);
    if (20 + size > plain.length) {
      throw new ProtocolError('DECRYPT_FAILED', 400, `decryption failed: declared length ${size} exceeds the payload; the EncodingAESKey does not match`);
    }
    return {
      message: plain.subarray(20, 20 + size).toString('utf8'),
      appId: plain.subarray(20 + size).toString('utf8'),
    };
  }
}
