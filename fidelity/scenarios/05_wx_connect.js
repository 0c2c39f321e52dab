// wx.connectSocket without callbacks: WeChat returns the task.
log('wx is uni', wx === uni);
var t = wx.connectSocket({ url: SERVER + '/s05' });
log('returned', t);
wx.onSocketOpen(function (res) { log('wx open', res); wx.closeSocket({ code: 1000 }); });
wx.onSocketClose(function (res) { log('wx close', res); end(); });
