// adapter-uni.js gives the transport scripts openSocket() on unisocket's
// uni.connectSocket, run with --platform standard; adapter-browser.js says
// what each logged line means. Only this adapter knows the uni API: the
// subprotocol comes from onOpen's header, a refused send or close from
// fail's errMsg (its error name is the word after "fail ").
function openSocket(url, protocols, name) {
  name = name || 'ws';
  var hooks = { open: [], message: [], error: [], close: [] };
  function fire(ev, arg) { hooks[ev].forEach(function (fn) { fn(arg); }); }
  var opts = { url: url, complete: function () {} };
  if (protocols !== undefined) opts.protocols = protocols;
  var task = uni.connectSocket(opts);
  task.onOpen(function (res) {
    var p = (res.header && res.header['Sec-Websocket-Protocol']) || '';
    log(name + ' open protocol=' + JSON.stringify(p));
    fire('open');
  });
  task.onMessage(function (res) { log(name + ' message', brief(res.data)); fire('message', res.data); });
  task.onError(function () { log(name + ' error'); fire('error'); });
  task.onClose(function (res) { log(name + ' close', res.code, JSON.stringify(res.reason)); fire('close'); });
  return {
    send: function (data) {
      task.send({ data: data, fail: function () { log(name + ' send refused'); } });
    },
    close: function (code, reason) {
      var o = {
        fail: function (res) {
          var m = /:fail (\w+)/.exec(res.errMsg);
          log(name + ' close refused (' + (m ? m[1] : res.errMsg) + ')');
        },
      };
      if (code !== undefined) o.code = code;
      if (reason !== undefined) o.reason = reason;
      task.close(o);
    },
    on: function (ev, fn) { hooks[ev].push(fn); },
  };
}

// brief shows a long text message by its length.
function brief(data) {
  return typeof data === 'string' && data.length > 64 ? 'text of ' + data.length + ' chars' : show(data);
}
