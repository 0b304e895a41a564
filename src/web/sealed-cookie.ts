import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

// Cookie values sealed with AES-256-GCM: signed (a changed or forged value fails to open) and
// encrypted, because the session holds the person's GitHub token. Each value carries its expiry.

export interface Sealer {
  seal(value: unknown, ttlMs: number, now?: number): string;
  /** The value, or null when the cookie was forged, altered, sealed for another purpose or expired. */
  open<T>(sealed: string | undefined, now?: number): T | null;
}

export function cookieSealer(secret: string, purpose: string): Sealer {
  const key = Buffer.from(hkdfSync("sha256", secret, "automations-pages", `cookie:${purpose}`, 32));
  return {
    seal(value, ttlMs, now = Date.now()) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      const body = Buffer.concat([cipher.update(JSON.stringify({ v: value, exp: now + ttlMs }), "utf8"), cipher.final()]);
      return [iv, cipher.getAuthTag(), body].map((b) => b.toString("base64url")).join(".");
    },
    open<T>(sealed: string | undefined, now = Date.now()): T | null {
      if (!sealed) return null;
      const [iv, tag, body] = sealed.split(".").map((part) => Buffer.from(part, "base64url"));
      if (!iv || !tag || !body || iv.length !== 12 || tag.length !== 16) return null;
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, iv);
        decipher.setAuthTag(tag);
        const plain = Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8");
        const { v, exp } = JSON.parse(plain) as { v: T; exp: number };
        return typeof exp === "number" && exp > now ? v : null;
      } catch {
        return null;
      }
    },
  };
}
