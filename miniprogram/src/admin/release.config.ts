export default definePageConfig({ navigationBarTitleText: '每日释放', enablePullDownRefresh: true })
