// What the helper and the counting hooks look like from the script: the
// Go functions' carrier is gone, the helper refuses bad values, and a
// socket made in the Promise form and one refused by the quota are
// counted as the Go side sees them.
unisocket.check('no carrier', typeof __unisocketLoad === 'undefined');
let threw = false;
try { unisocket.trend('rtt', -1); } catch (e) { threw = e instanceof TypeError; }
unisocket.check('trend refuses -1', threw);
wx.connectSocket({ url: unisocket.target + '/?send=2&close=4001', fail() {} });
wx.onSocketMessage(() => unisocket.counter('global message'));
