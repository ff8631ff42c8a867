export default definePageConfig({ navigationBarTitleText: '商家', enableShareAppMessage: true, enableShareTimeline: true, enablePullDownRefresh: true })
