/** The chat page's words, in English and Chinese; the page shows one language at a time. */
export const CHAT_STRINGS = {
  en: {
    title: 'wxmp chat', heading: 'wxmp chat', account: 'Account', user: 'User', mode: 'Mode', clear: 'Clear history', inspector: 'Inspector', more: 'More', send: 'Send',
    input: 'Message', inputPlaceholder: 'Type a message', menu: 'Menu', events: 'Events', subscribe: 'Follow', unsubscribe: 'Unfollow', scan: 'Scan QR code',
    image: 'Picture', voice: 'Voice', location: 'Location', link: 'Link', cancel: 'Cancel', ok: 'Send', connecting: 'connecting…', live: '', reconnecting: 'Reconnecting to the dev server…',
    scene: 'QR scene', scanResult: 'Scan result', recognition: 'Recognised text (optional)', voiceFile: 'Voice file (optional)', latitude: 'Latitude', longitude: 'Longitude', label: 'Place name',
    url: 'URL', linkTitle: 'Title', description: 'Description', picture: 'Picture file', pictureUrl: 'or a picture URL',
    me: 'Me', bot: 'OA', csTag: 'Customer-service message', noReply: '(no reply)', threw: 'Your handler threw: {error}. WeChat shows nothing.', threwNoDetail: 'Your handler threw (see the server log). WeChat shows nothing.',
    openInspector: 'Open in the inspector', late: '(no reply yet: your handler missed the deadline; its reply comes as a customer-service message)',
    notSent: 'not delivered', refused: 'Not sent: {error}', transfer: 'Transferred to a human agent', opens: 'Opens {url}', miniprogram: 'Opens the mini program page {path}',
    noEvent: 'WeChat handles a “{type}” button itself: your server gets no event.', yesterday: 'Yesterday', cleared: 'History cleared', uploadOff: 'Pictures need the offline mock API (no WECHAT_APP_SECRET): give a URL instead.',
    tag_image: 'Picture', tag_voice: 'Voice', tag_video: 'Video', tag_music: 'Music', tag_location: 'Location', tag_link: 'Link', tag_menu: 'Menu', tag_scan: 'Scan', tag_follow: 'Follow', tag_unfollow: 'Unfollow',
    sending: 'Sending…', tries: 'try {n}: {outcome}',
  },
  zh: {
    title: 'wxmp 聊天', heading: 'wxmp 聊天', account: '公众号', user: '用户', mode: '模式', clear: '清空记录', inspector: '调试面板', more: '更多', send: '发送',
    input: '消息', inputPlaceholder: '发消息', menu: '菜单', events: '事件', subscribe: '关注', unsubscribe: '取消关注', scan: '扫码',
    image: '图片', voice: '语音', location: '位置', link: '链接', cancel: '取消', ok: '发送', connecting: '连接中…', live: '', reconnecting: '正在重新连接开发服务器…',
    scene: '二维码场景值', scanResult: '扫码结果', recognition: '语音识别结果（可选）', voiceFile: '语音文件（可选）', latitude: '纬度', longitude: '经度', label: '地点名称',
    url: '网址', linkTitle: '标题', description: '描述', picture: '图片文件', pictureUrl: '或图片网址',
    me: '我', bot: '公', csTag: '客服消息', noReply: '（无回复）', threw: '你的处理函数出错：{error}。微信上不显示任何内容。', threwNoDetail: '你的处理函数出错（见服务器日志）。微信上不显示任何内容。',
    openInspector: '在调试面板中查看', late: '（暂无回复：处理超时，回复将以客服消息发出）',
    notSent: '未送达', refused: '未发送：{error}', transfer: '已转接人工客服', opens: '打开 {url}', miniprogram: '打开小程序页面 {path}',
    noEvent: '“{type}”按钮由微信自己处理，你的服务器不会收到事件。', yesterday: '昨天', cleared: '记录已清空', uploadOff: '发送图片需要离线模拟接口（未设置 WECHAT_APP_SECRET），请改填图片网址。',
    tag_image: '图片', tag_voice: '语音', tag_video: '视频', tag_music: '音乐', tag_location: '位置', tag_link: '链接', tag_menu: '菜单', tag_scan: '扫码', tag_follow: '关注', tag_unfollow: '取消关注',
    sending: '发送中…', tries: '第 {n} 次：{outcome}',
  },
};
