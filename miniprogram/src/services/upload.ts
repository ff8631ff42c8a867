import Taro from '@tarojs/taro'
import { CloudError, getDevOpenid } from './cloud'

/**
 * Lets the person pick an image and stores it: weapp → cloud storage (returns the fileID, which
 * <Image> can show); h5 → the local runtime's file store (returns a /files/... url).
 * Resolves null when the person cancels; `onPicked` runs once a picture is chosen (before it is stored).
 * Screens call utils/upload.ts pickImage, which shows the upload and its errors.
 */
export async function chooseAndUploadImage(folder: string, onPicked?: () => void): Promise<string | null> {
  let path: string
  try {
    const r = await Taro.chooseImage({ count: 1, sizeType: ['compressed'] })
    path = r.tempFilePaths[0]
  } catch {
    return null
  }
  if (!path) return null
  onPicked?.()
  if (process.env.TARO_ENV === 'weapp') {
    const ext = (/\.(\w+)$/.exec(path)?.[1] || 'jpg').toLowerCase()
    const r = await Taro.cloud.uploadFile({ cloudPath: `${folder}/${Date.now()}-${Math.random().toString(36).slice(2, 8)}.${ext}`, filePath: path })
    return r.fileID
  }
  // h5: the temp path is a blob: url; the local runtime stores it like cloud.uploadFile and serves it at /files/...
  const blob = await (await fetch(path)).blob()
  const ext = (blob.type.split('/')[1] || 'jpg').replace('jpeg', 'jpg').replace(/[^a-z0-9]/g, '')
  const cloudPath = `${folder}/${Date.now()}-${Math.random().toString(36).slice(2, 8)}.${ext}`
  const headers: Record<string, string> = { 'content-type': blob.type || 'application/octet-stream' }
  const openid = getDevOpenid()
  if (openid) headers['x-openid'] = openid
  const resp = await fetch(`/__local/upload?cloudPath=${encodeURIComponent(cloudPath)}`, { method: 'POST', headers, body: blob })
  const data = (await resp.json().catch(() => null)) as { ok?: boolean; data?: { fileID?: string; tempFileURL?: string }; error?: { message?: string } } | null
  if (!resp.ok || !data?.ok) throw new CloudError('UPLOAD', data?.error?.message || '图片上传失败，请稍后再试')
  const url = data.data?.tempFileURL || data.data?.fileID
  if (!url) throw new CloudError('UPLOAD', '图片上传失败，请稍后再试')
  return url
}
