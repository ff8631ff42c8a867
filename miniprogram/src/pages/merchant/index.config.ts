export default definePageConfig({ navigationBarTitleText: '商家', enableShareAppMessage: true, enablePullDownRefresh: true })
