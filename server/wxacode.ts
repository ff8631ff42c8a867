/**
 * Mini-program codes (小程序码) from `cloud.openapi.wxacode.getUnlimited`: the in-store pay code
 * (server/merchants.ts payCode) and the share poster's code (server/poster.ts). The function that calls it
 * declares the permission in its config.json (`permissions.openapi`; deploy/deploy.test.ts checks it).
 */
import { DomainError } from '../shared/errors';
import { getCloud } from './db';

export interface MiniProgramCode {
  buffer: Buffer;
  contentType: string;
}

/**
 * A code that opens `page` with `scene` (≤ 32 characters). `checkPath: false`: the page need not be published
 * yet (a code made during review still opens once it is). `unavailable` is the error a user sees when WeChat
 * does not answer with an image.
 */
export async function miniProgramCode(scene: string, page: string, unavailable: DomainError, width = 430): Promise<MiniProgramCode> {
  const res = await getCloud().openapi.wxacode.getUnlimited({ scene, page, checkPath: false, width });
  const buffer: Buffer | undefined = res?.buffer;
  if (!buffer) throw unavailable;
  return { buffer: Buffer.from(buffer), contentType: res?.contentType ?? 'image/png' };
}

/** The code inline, as a `data:` URL the app can show and draw on a canvas without a download domain. */
export function codeDataUrl(code: MiniProgramCode): string {
  return `data:${code.contentType};base64,${code.buffer.toString('base64')}`;
}
