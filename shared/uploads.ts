/**
 * Where the mini-program uploads files the server later shows to others with its own rights (a temporary URL
 * made by the cloud function). A cloud file id is accepted only inside the caller's own folder, so nobody can
 * name someone else's file (a licence, another seller's QR) and have it shown.
 */

/** The folder a user's payment QR is uploaded to (`wx.cloud.uploadFile` cloudPath prefix). */
export function paymentQrFolder(openid: string): string {
  return `payment-qr/${openid}`;
}

/** Whether a cloud file id (`cloud://<env>.<bucket>/<path>`) names a file inside `folder` (no `.`/`..`/empty segment). */
export function cloudFileInFolder(fileId: string, folder: string): boolean {
  const m = /^cloud:\/\/[^/\s]+\/(\S+)$/.exec(fileId);
  if (!m) return false;
  const path = m[1];
  if (path.split('/').some((seg) => seg === '' || seg === '.' || seg === '..')) return false;
  return path.startsWith(`${folder}/`);
}
