// permessage-deflate: WeChat's perMessageDeflate option asks for
// compression; the server reports what it negotiated, and a compressible
// 270 KB message is echoed (the Go side counts the bytes on the wire).
var msg = 'unisocket compresses well. '.repeat(10000);
var task = uni.connectSocket({url: '@BASE@/deflate', perMessageDeflate: true, complete: function () {}});
task.onOpen(function () { console.log('open'); });
task.onMessage(function (res) {
  if (res.data.indexOf('extensions:') === 0) {
    console.log('server says', res.data);
    task.send({data: msg});
    return;
  }
  console.log('echo', res.data.length, res.data === msg);
  task.close({});
});
task.onError(function (res) { console.log('error', res.errMsg); });
task.onClose(function (res) { console.log('close', res.code); });
