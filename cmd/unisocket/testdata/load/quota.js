// Six sockets at once: WeChat allows five, so the sixth is refused. Each
// socket closes once open (WeChat cannot close one still connecting).
for (let i = 0; i < 6; i++) {
  const task = wx.connectSocket({ url: unisocket.target + '/?n=' + i, fail() {} });
  task.onOpen(() => task.close({}));
}
