// Six sockets at once: WeChat allows five, so the sixth is refused.
const tasks = [];
for (let i = 0; i < 6; i++) {
  tasks.push(wx.connectSocket({ url: unisocket.target + '/?n=' + i, fail() {} }));
}
setTimeout(() => tasks.forEach((t) => t.close({})), 100);
