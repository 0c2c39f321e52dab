// adapter-browser.js gives the transport scripts openSocket() on the
// browser's own WebSocket, with no uni layer. adapter-uni.js gives the same
// function on unisocket's uni.connectSocket (profile standard). Both log
// the same lines for the same transport event, so the diff shows where the
// events themselves differ:
//
//   NAME open protocol="P"      NAME message DATA       NAME error
//   NAME close CODE "REASON"    NAME send refused       NAME close refused (ERROR NAME)
//
// openSocket returns {send(data), close(code, reason), on(event, fn)};
// on's events are open, message, error and close.
function openSocket(url, protocols, name) {
  name = name || 'ws';
  var hooks = { open: [], message: [], error: [], close: [] };
  var ws = protocols === undefined ? new WebSocket(url) : new WebSocket(url, protocols);
  ws.binaryType = 'arraybuffer';
  function fire(ev, arg) { hooks[ev].forEach(function (fn) { fn(arg); }); }
  ws.onopen = function () { log(name + ' open protocol=' + JSON.stringify(ws.protocol)); fire('open'); };
  ws.onmessage = function (e) { log(name + ' message', brief(e.data)); fire('message', e.data); };
  ws.onerror = function () { log(name + ' error'); fire('error'); };
  ws.onclose = function (e) { log(name + ' close', e.code, JSON.stringify(e.reason)); fire('close'); };
  return {
    send: function (data) {
      try {
        ws.send(data);
      } catch (e) {
        log(name + ' send refused');
      }
    },
    close: function (code, reason) {
      try {
        if (code === undefined) ws.close();
        else if (reason === undefined) ws.close(code);
        else ws.close(code, reason);
      } catch (e) {
        log(name + ' close refused (' + e.name + ')');
      }
    },
    on: function (ev, fn) { hooks[ev].push(fn); },
  };
}

// brief shows a long text message by its length.
function brief(data) {
  return typeof data === 'string' && data.length > 64 ? 'text of ' + data.length + ' chars' : show(data);
}
