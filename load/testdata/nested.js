// A connectSocket inside another's success callback: each socket is
// counted once, with its own close code.
uni.connectSocket({
  url: unisocket.target + '/?close=4001',
  success() {
    uni.connectSocket({ url: unisocket.target + '/?close=4002', success() {} });
  },
});
