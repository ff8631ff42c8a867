export default definePageConfig({ navigationBarTitleText: '我的收款方式' })
