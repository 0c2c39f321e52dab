// The Promise form of a connectSocket that fails at once.
uni.connectSocket({ url: 'ftp://127.0.0.1/s63' }).then(
  function (res) { log('resolved', res); },
  function (err) { log('rejected', err); });
later(200, end);
