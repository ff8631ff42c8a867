import Taro from '@tarojs/taro'
import { View, Canvas, Text } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import { memo, useEffect, useRef, useState } from 'react'
import { call, errorMessage } from '../services/cloud'
import { getSession } from '../services/session'
import { drawPoster, POSTER_H, POSTER_W, type PosterContext, type PosterImage } from '../utils/poster'
import { px } from '../utils/px'

/**
 * 生成海报 (issue 15): the store (and one product) with the sharer's mini-program code (merchant.posterCode: its
 * scene names the sharer as referrer), drawn on a Canvas 2D and saved to the album (weapp) or downloaded (h5).
 */
export interface PosterProps {
  merchantId: string
  storeName: string
  /** The product the code opens (product page); absent: the code opens the store. */
  productId?: string
  /** The product shown on the poster (on a store's poster, one of its products). */
  product: { title: string; priceFen: number; image?: string } | null
  onClose: () => void
}

const CANVAS_ID = 'share-poster-canvas'
const isH5 = process.env.TARO_ENV === 'h5'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type CanvasNode = any

/** The canvas never re-renders: on h5 a re-render of Taro's canvas element resets its size, which clears it. */
const PosterCanvas = memo(function PosterCanvas() {
  return <Canvas type='2d' id={CANVAS_ID} canvasId={CANVAS_ID} className='poster-canvas' style={{ width: `${POSTER_W}px`, height: `${POSTER_H}px`, display: 'block' }} />
})

function canvasNode(): Promise<CanvasNode> {
  return new Promise((resolve, reject) => {
    let tries = 0
    const look = () =>
      Taro.createSelectorQuery()
        .select(`#${CANVAS_ID}`)
        .fields({ node: true, size: true })
        .exec((res) => {
          const node = res?.[0]?.node
          if (node) return resolve(node)
          if (++tries > 20) return reject(new Error('海报画布没有准备好'))
          setTimeout(look, 50)
        })
    look()
  })
}

/** weapp draws only local files: the inline code goes to a file, a cloud file is downloaded, a URL fetched. */
async function localSrc(src: string): Promise<string> {
  if (isH5) return src
  const inline = /^data:image\/(\w+)[^,]*;base64,(.*)$/.exec(src)
  if (inline) {
    const path = `${Taro.env.USER_DATA_PATH}/poster-code-${Date.now()}.${inline[1] === 'jpeg' ? 'jpg' : 'png'}`
    Taro.getFileSystemManager().writeFileSync(path, inline[2], 'base64')
    return path
  }
  if (src.startsWith('cloud://')) return (await Taro.cloud.downloadFile({ fileID: src })).tempFilePath
  return (await Taro.getImageInfo({ src })).path
}

async function loadImage(canvas: CanvasNode, src: string): Promise<PosterImage> {
  const path = await localSrc(src)
  return new Promise((resolve, reject) => {
    const img = isH5 ? new window.Image() : canvas.createImage()
    // h5: an image of another origin must come with CORS, or the canvas could not be saved
    if (isH5 && !path.startsWith('data:')) img.crossOrigin = 'anonymous'
    img.onload = () => resolve({ img, width: img.width || img.naturalWidth, height: img.height || img.naturalHeight })
    img.onerror = () => reject(new Error('图片加载失败'))
    img.src = path
  })
}

// "saveImageToPhotosAlbum:fail auth deny", "…:fail:auth denied", "authorize:fail …": the album permission is refused
const isAuthDenied = (e: unknown) => /auth (deny|denied)|authorize:fail|fail:auth/i.test(String((e as { errMsg?: string })?.errMsg ?? ''))

/** weapp: save the canvas to the album; a refused permission is explained, with the way to grant it. */
async function saveToAlbum(canvas: CanvasNode) {
  const { tempFilePath } = await Taro.canvasToTempFilePath({ canvas, fileType: 'png' } as Taro.canvasToTempFilePath.Option)
  try {
    await Taro.saveImageToPhotosAlbum({ filePath: tempFilePath })
    Taro.showToast({ title: '已保存到相册', icon: 'success' })
  } catch (e) {
    if (!isAuthDenied(e)) {
      if (/cancel/i.test(String((e as { errMsg?: string })?.errMsg ?? ''))) return // closed the system sheet
      throw e
    }
    const r = await Taro.showModal({
      title: '需要相册权限',
      content: '保存海报需要允许“保存到相册”。请在设置中打开“添加到相册”，再点一次保存。',
      confirmText: '去设置',
      cancelText: '暂不',
    })
    if (!r.confirm) return
    const s = await Taro.openSetting()
    if (s.authSetting['scope.writePhotosAlbum']) {
      await Taro.saveImageToPhotosAlbum({ filePath: tempFilePath })
      Taro.showToast({ title: '已保存到相册', icon: 'success' })
    }
  }
}

/** h5: download the canvas as a PNG. */
function download(canvas: HTMLCanvasElement, name: string) {
  const a = document.createElement('a')
  a.href = canvas.toDataURL('image/png')
  a.download = `${name}-海报.png`
  document.body.appendChild(a)
  a.click()
  a.remove()
}

export default function Poster(props: PosterProps) {
  const [state, setState] = useState<'drawing' | 'ready' | 'error'>('drawing')
  const [error, setError] = useState('')
  const canvasRef = useRef<CanvasNode>(null)
  const { merchantId, productId, storeName } = props
  // the parent passes a new object each render: the drawing depends on its values
  const title = props.product?.title
  const priceFen = props.product?.priceFen
  const image = props.product?.image

  useEffect(() => {
    let live = true
    ;(async () => {
      try {
        const [code, canvas] = await Promise.all([call('merchant', 'posterCode', { merchantId, ...(productId ? { productId } : {}) }), canvasNode()])
        const dpr = isH5 ? window.devicePixelRatio || 1 : Taro.getSystemInfoSync().pixelRatio || 2
        canvas.width = POSTER_W * dpr
        canvas.height = POSTER_H * dpr
        const ctx = canvas.getContext('2d')
        ctx.scale(dpr, dpr)
        const [codeImg, productImage] = await Promise.all([
          loadImage(canvas, code.imageUrl),
          // a product image that cannot be loaded leaves its first character instead
          image ? loadImage(canvas, image).catch(() => null) : Promise.resolve(null),
        ])
        if (!live) return
        const me = getSession().me
        drawPoster(ctx as PosterContext, {
          storeName,
          product: title !== undefined && priceFen !== undefined ? { title, priceFen } : null,
          productImage,
          code: codeImg,
          action: productId ? '扫码看商品 · 积分可抵扣' : '扫码进店 · 消费攒积分',
          sharer: me ? `${me.nickname} 分享` : '',
        })
        canvasRef.current = canvas
        setState('ready')
      } catch (e) {
        if (!live) return
        setError(errorMessage(e))
        setState('error')
      }
    })()
    return () => {
      live = false
    }
  }, [merchantId, productId, storeName, title, priceFen, image])

  const save = async () => {
    const canvas = canvasRef.current
    if (!canvas) return
    try {
      if (isH5) {
        download(canvas as HTMLCanvasElement, storeName)
        Taro.showToast({ title: '海报已下载', icon: 'success' })
      } else {
        await saveToAlbum(canvas)
      }
    } catch (e) {
      Taro.showToast({ title: errorMessage(e) || '保存失败', icon: 'none' })
    }
  }

  return (
    <View className='mask poster-mask' catchMove>
      <View className='poster-box' style={{ width: `${POSTER_W}px` }}>
        <View style={{ position: 'relative', borderRadius: px(12), overflow: 'hidden', background: '#fff' }}>
          <PosterCanvas />
          {state !== 'ready' && (
            <View className='center poster-state' style={{ position: 'absolute', left: 0, right: 0, top: 0, bottom: 0, background: '#fff', paddingTop: px(300) }}>
              <Text className={state === 'error' ? 'danger' : 'muted'}>{state === 'error' ? error || '海报生成失败' : '海报生成中…'}</Text>
            </View>
          )}
        </View>
        <View className='btn-row' style={{ marginTop: px(24) }}>
          <Button className='poster-close' style={{ background: '#fff' }} onClick={props.onClose}>关闭</Button>
          <Button type='primary' className='poster-save' disabled={state !== 'ready'} onClick={save}>{isH5 ? '下载海报' : '保存到相册'}</Button>
        </View>
        {state === 'ready' && <View className='center small poster-hint' style={{ color: '#fff', marginTop: px(12) }}>{isH5 ? '下载后发到朋友圈或群聊' : '保存到相册后，发到朋友圈或群聊'}</View>}
      </View>
    </View>
  )
}
