import Taro from '@tarojs/taro'
import { chooseAndUploadImage } from '../services/upload'
import { showError } from './hooks'

/**
 * The one way a screen asks for a picture (payment QR, appeal proof, licence, product, banner): the person
 * picks it, "上传中" shows while it is stored, and a failure is told in words instead of being lost.
 * Resolves the stored url, or null when the person cancelled or the upload failed (already shown).
 */
export async function pickImage(folder: string): Promise<string | null> {
  let loading = false
  try {
    return await chooseAndUploadImage(folder, () => {
      loading = true
      Taro.showLoading({ title: '上传中', mask: true })
    })
  } catch (e) {
    if (loading) Taro.hideLoading()
    loading = false
    showError(e) // after the loading mask is gone, so the dialog can be tapped
    return null
  } finally {
    if (loading) Taro.hideLoading()
  }
}
