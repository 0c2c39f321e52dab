// Binary echo: every byte value, sent as an ArrayBuffer (and as a
// Uint8Array view of part of one), comes back as an ArrayBuffer holding the
// same bytes.
var all = new Uint8Array(256);
for (var i = 0; i < 256; i++) all[i] = i;
var sends = [
  ['all 256 byte values', all.buffer],
  ['[0]', new Uint8Array([0]).buffer],
  ['[255, 254]', new Uint8Array([255, 254]).buffer],
  ['view of bytes 250..255', all.subarray(250)],
];

function bytes(v) {
  return v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}
function same(a, b) {
  a = bytes(a); b = bytes(b);
  if (a.length !== b.length) return false;
  for (var i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

var task = uni.connectSocket({url: '@BASE@/echo', complete: function () {}});
var n = 0;
task.onOpen(function () {
  console.log('open');
  sends.forEach(function (s) { task.send({data: s[1]}); });
});
task.onMessage(function (res) {
  var s = sends[n++];
  console.log('echo', s[0] + ':', Object.prototype.toString.call(res.data), res.data.byteLength, same(res.data, s[1]));
  if (n === sends.length) task.close({});
});
task.onError(function (res) { console.log('error', res.errMsg); });
task.onClose(function (res) { console.log('close', res.code); });
