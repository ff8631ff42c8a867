export default definePageConfig({ navigationBarTitleText: '订单与发货', enablePullDownRefresh: true })
