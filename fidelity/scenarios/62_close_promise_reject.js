// The Promise form of closeSocket rejects with the fail result.
uni.closeSocket().then(
  function (res) { log('resolved', res); },
  function (err) { log('rejected', err); });
uni.sendSocketMessage({ data: 'x' }).then(
  function (res) { log('send resolved', res); },
  function (err) { log('send rejected', err); });
later(100, end);
