// 1 MiB message: a 1 MiB ArrayBuffer comes back unchanged (compared through
// base64, which is native and fast). It is 64 blocks of the same 16 KiB of
// pseudo-random bytes, each stamped with its index in its first 4 bytes, so
// a lost, repeated or reordered block shows; generating all of it in
// JavaScript costs seconds under the race detector.
var block = new Uint32Array(4096); // 16 KiB
var x = 2463534242;
for (var i = 0; i < block.length; i++) {
  x ^= x << 13; x ^= x >>> 17; x ^= x << 5; // xorshift32
  block[i] = x >>> 0;
}
var words = new Uint32Array(64 * block.length); // 1 MiB
for (var b = 0; b < 64; b++) {
  words.set(block, b * block.length);
  words[b * block.length] = b;
}
var sent = words.buffer;
var task = uni.connectSocket({url: '@BASE@/echo', complete: function () {}});
task.onOpen(function () {
  console.log('open');
  task.send({data: sent});
});
task.onMessage(function (res) {
  var same = uni.arrayBufferToBase64(res.data) === uni.arrayBufferToBase64(sent);
  console.log('echo', Object.prototype.toString.call(res.data), res.data.byteLength, same);
  task.close({});
});
task.onError(function (res) { console.log('error', res.errMsg); });
task.onClose(function (res) { console.log('close', res.code); });
