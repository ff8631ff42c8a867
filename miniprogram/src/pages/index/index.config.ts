export default definePageConfig({ navigationBarTitleText: '共享购', enablePullDownRefresh: true })
