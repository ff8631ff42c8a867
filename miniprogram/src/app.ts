import { PropsWithChildren } from 'react'
import Taro, { useLaunch, usePageNotFound } from '@tarojs/taro'
import { initCloud } from './services/cloud'
// NutUI React Taro: only the components the app uses, themed in app.scss
import '@nutui/nutui-react-taro/dist/es/packages/button/style/css'
import '@nutui/nutui-react-taro/dist/es/packages/tabs/style/css'
import '@nutui/nutui-react-taro/dist/es/packages/searchbar/style/css'
import './app.scss'

function App({ children }: PropsWithChildren) {
  useLaunch(() => {
    if (process.env.TARO_ENV === 'weapp') initCloud()
  })
  // an old or mistyped link (a page that is not in the app) opens the home page instead of a blank screen
  usePageNotFound(() => {
    Taro.reLaunch({ url: '/pages/index/index' })
  })
  return children
}

export default App
