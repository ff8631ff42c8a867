export default definePageConfig({ navigationBarTitleText: '模拟沙盘' })
