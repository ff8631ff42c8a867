export default defineAppConfig({
  pages: [
    'pages/index/index',
    'pages/market/index',
    'pages/assets/index',
    'pages/me/index',
    'pages/merchant/index',
    'pages/product/index',
    'pages/checkout/index',
    'pages/pay/index',
    'pages/orders/index',
    'pages/order/index',
    'pages/trade/index',
    'pages/payment-details/index',
    'pages/transfer/index',
    'pages/ledger/index',
    'pages/messages/index',
    'pages/invitees/index',
    'pages/explain/index',
  ],
  subPackages: [
    {
      root: 'merchant-center',
      pages: ['index', 'apply', 'deposit', 'products', 'product-edit', 'orders', 'paycode'],
    },
    {
      root: 'admin',
      pages: ['index', 'merchants', 'appeals', 'params', 'price', 'release', 'simulate', 'banners'],
    },
  ],
  window: {
    backgroundTextStyle: 'dark',
    backgroundColor: '#ededed',
    navigationBarBackgroundColor: '#ededed',
    navigationBarTitleText: '共享购',
    navigationBarTextStyle: 'black',
  },
  tabBar: {
    color: '#7a7e83',
    selectedColor: '#07c160',
    backgroundColor: '#ffffff',
    borderStyle: 'black',
    list: [
      { pagePath: 'pages/index/index', text: '首页', iconPath: 'assets/tab/home.png', selectedIconPath: 'assets/tab/home-on.png' },
      { pagePath: 'pages/market/index', text: '市场', iconPath: 'assets/tab/market.png', selectedIconPath: 'assets/tab/market-on.png' },
      { pagePath: 'pages/assets/index', text: '资产', iconPath: 'assets/tab/assets.png', selectedIconPath: 'assets/tab/assets-on.png' },
      { pagePath: 'pages/me/index', text: '我的', iconPath: 'assets/tab/me.png', selectedIconPath: 'assets/tab/me-on.png' },
    ],
  },
  preloadRule: {
    'pages/me/index': { network: 'all', packages: ['merchant-center'] },
  },
})
