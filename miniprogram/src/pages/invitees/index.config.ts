export default definePageConfig({ navigationBarTitleText: '我邀请的人' })
