// The seed's first example: data(), header, protocols and method together.
var task = uni.connectSocket({
  url: SERVER + '/s66?inspect=1',
  data() {
    return {
      x: '',
      y: ''
    };
  },
  header: {
    'content-type': 'application/json'
  },
  protocols: ['protocol1'],
  method: 'GET',
  success: function (res) { log('success', res); },
});
task.onOpen(function (res) { log('open', res); });
task.onMessage(function (res) {
  var h = JSON.parse(res.data);
  log('method', h.method, 'subprotocols', h.subprotocols, 'content-type', show(h.header['Content-Type']));
  task.close();
});
task.onClose(function (res) { log('close', res); end(); });
